import nacl from "tweetnacl";
import { describe, expect, it } from "vitest";
import { Signer } from "../crypto.ts";
import { checkpointBody, openCheckpoint, parseCheckpointBody } from "./checkpoint.ts";
import { leafHash } from "./merkle.ts";
import {
  COSIGNATURE_V1,
  cosignedMessage,
  cosignNote,
  ED25519,
  NoteVerifier,
  parseNote,
  signNote,
  verifiedSignatures,
  verifierKey,
} from "./signed-note.ts";

const origin = "example.test/log";
const log = Signer.generate().signer;
const witness = Signer.generate().signer;
const body = checkpointBody({ origin, size: 7, root: leafHash(Buffer.from("x")) });

describe("signed-note verifier keys", () => {
  it("parses the example key of golang.org/x/mod/sumdb/note", () => {
    const k = NoteVerifier.fromVkey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    expect(k.name).toBe("PeterNeumann");
    expect(k.type).toBe(ED25519);
    expect(k.keyId.toString("hex")).toBe("c74f20a3");
  });

  it("makes the vkey the log serves, and parses it back", () => {
    const v = new NoteVerifier(origin, ED25519, log.publicKey);
    expect(v.vkey).toBe(verifierKey(origin, log.publicKey));
    expect(NoteVerifier.fromVkey(v.vkey).publicKey.equals(Buffer.from(log.publicKey))).toBe(true);
  });

  it("rejects a key whose id does not match its name and key, or a name with a '+'", () => {
    const v = verifierKey(origin, log.publicKey);
    expect(() => NoteVerifier.fromVkey(v.replace(/\+[0-9a-f]{8}\+/, "+00000000+"))).toThrow(/key id/);
    expect(() => NoteVerifier.fromVkey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).toThrow(
      /does not match/,
    );
    expect(() => verifierKey("a+b", log.publicKey)).toThrow(/'\+'/);
  });
});

describe("signed notes", () => {
  it("signs a checkpoint that an independent Ed25519 (tweetnacl) verifies", () => {
    const note = body + "\n" + signNote(log, origin, body);
    const parsed = parseNote(note);
    expect(parsed.body).toBe(body);
    const sig = parsed.signatures[0]!;
    expect(nacl.sign.detached.verify(Buffer.from(body), sig.sig, log.publicKey)).toBe(true);
    const { checkpoint } = openCheckpoint(note, new NoteVerifier(origin, ED25519, log.publicKey));
    expect(checkpoint.size).toBe(7);
  });

  it("rejects a forged checkpoint: another size under the log's signature, or another key", () => {
    const v = new NoteVerifier(origin, ED25519, log.publicKey);
    const forged = body.replace("\n7\n", "\n8\n") + "\n" + signNote(log, origin, body);
    expect(() => openCheckpoint(forged, v)).toThrow(/no valid signature/);
    const other = Signer.generate().signer;
    expect(() => openCheckpoint(body + "\n" + signNote(other, origin, body), v)).toThrow(/no valid signature/);
  });

  it("adds witness cosignatures (cosignature/v1) that verify with their timestamp", () => {
    const name = "witness.test/w1";
    const note = body + "\n" + signNote(log, origin, body) + cosignNote(witness, name, body, 1700000000);
    const w = new NoteVerifier(name, COSIGNATURE_V1, witness.publicKey);
    const ok = verifiedSignatures(parseNote(note), [new NoteVerifier(origin, ED25519, log.publicKey), w]);
    expect([...ok.values()].map((x) => x.time).sort()).toEqual([0, 1700000000]);
    const raw = parseNote(note).signatures[1]!.sig;
    expect(nacl.sign.detached.verify(cosignedMessage(body, 1700000000), raw.subarray(8), witness.publicKey)).toBe(true);
    // The same key as a plain note key (0x01) has another key id, so the line is ignored.
    expect(verifiedSignatures(parseNote(note), [new NoteVerifier(name, ED25519, witness.publicKey)]).size).toBe(0);
  });

  it("refuses malformed checkpoints", () => {
    expect(() => parseCheckpointBody("o\n07\nAAAA\n")).toThrow(/size/);
    expect(() => parseCheckpointBody("o\n7\nAAAA\n")).toThrow(/root/);
    expect(() => parseNote(body + signNote(log, origin, body))).toThrow();
  });
});
