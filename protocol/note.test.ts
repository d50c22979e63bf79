import { describe, expect, it } from "vitest";
import { Signer } from "./crypto.ts";
import { noteKeyId, parseVerifierKey, verifierKey } from "./note.ts";

describe("signed-note verifier keys", () => {
  it("parses the example key of golang.org/x/mod/sumdb/note", () => {
    const k = parseVerifierKey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
    expect(k.name).toBe("PeterNeumann");
    expect(k.keyId.toString("hex")).toBe("c74f20a3");
    expect(noteKeyId(k.name, k.publicKey).toString("hex")).toBe("c74f20a3");
  });

  it("round-trips a key it makes", () => {
    const { signer } = Signer.generate();
    const vkey = verifierKey("sentineliq.test/log", signer.publicKey);
    expect(Buffer.from(parseVerifierKey(vkey).publicKey).equals(Buffer.from(signer.publicKey))).toBe(true);
  });

  it("rejects a key whose id does not match", () => {
    expect(() => parseVerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).toThrow(
      /does not match/,
    );
  });
});
