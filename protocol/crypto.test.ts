/** Compliance: signatures from node:crypto verify under tweetnacl (a pure-JS implementation) and back. */
import { inspect } from "node:util";
import nacl from "tweetnacl";
import { describe, expect, it } from "vitest";
import { canonicalBytes } from "./canonical.ts";
import { Signer, Verifier } from "./crypto.ts";

describe("Ed25519", () => {
  const message = canonicalBytes({ type: "sentineliq.test.v1", n: 1 });

  it("signs with node:crypto and verifies with tweetnacl", () => {
    const { signer } = Signer.generate();
    const sig = signer.sign(message);
    expect(nacl.sign.detached.verify(message, sig, signer.publicKey)).toBe(true);
  });

  it("verifies with node:crypto what tweetnacl signed from the same seed", () => {
    const { signer, seed } = Signer.generate();
    const kp = nacl.sign.keyPair.fromSeed(seed);
    expect(Buffer.from(kp.publicKey).equals(Buffer.from(signer.publicKey))).toBe(true);
    const sig = nacl.sign.detached(message, kp.secretKey);
    expect(new Verifier(signer.publicKey).verify(message, sig)).toBe(true);
  });

  it("refuses a signature over other bytes, by another key, or of the wrong length", () => {
    const { signer } = Signer.generate();
    const other = Signer.generate().signer;
    const sig = signer.sign(message);
    const v = new Verifier(signer.publicKey);
    expect(v.verify(canonicalBytes({ type: "sentineliq.test.v1", n: 2 }), sig)).toBe(false);
    expect(new Verifier(other.publicKey).verify(message, sig)).toBe(false);
    expect(v.verify(message, sig.subarray(0, 63))).toBe(false);
  });

  it("never shows the secret key when printed or serialised", () => {
    const { signer, seed } = Signer.generate();
    const shown = JSON.stringify({ signer }) + inspect(signer);
    expect(shown).not.toContain(seed.toString("hex"));
    expect(shown).not.toContain(seed.toString("base64"));
  });
});
