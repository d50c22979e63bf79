import nacl from "tweetnacl";
import { describe, expect, it } from "vitest";
import { Signer } from "../crypto.ts";
import { verifierKey } from "../note.ts";
import { leafHash } from "./merkle.ts";
import {
  checkpointBody,
  COSIGNATURE_V1,
  cosignedMessage,
  cosignNote,
  ED25519,
  NoteVerifier,
  openCheckpoint,
  parseCheckpointBody,
  parseNote,
  signNote,
  verifiedSignatures,
} from "./signed-note.ts";

const origin = "example.test/log";
const log = Signer.generate().signer;
const witness = Signer.generate().signer;
const body = checkpointBody({ origin, size: 7, root: leafHash(Buffer.from("x")) });

describe("signed notes", () => {
  it("makes the same vkey as protocol/note.ts, and parses it back", () => {
    const v = new NoteVerifier(origin, ED25519, log.publicKey);
    expect(v.vkey).toBe(verifierKey(origin, log.publicKey));
    expect(NoteVerifier.fromVkey(v.vkey).keyId).toEqual(v.keyId);
    expect(() => NoteVerifier.fromVkey(v.vkey.replace(/\+[0-9a-f]{8}\+/, "+00000000+"))).toThrow(/key id/);
  });

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
