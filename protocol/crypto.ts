/**
 * Ed25519 with node:crypto (the hot path). Keys are KeyObjects made once;
 * `verify` accepts only canonical bytes.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import type { CanonicalBytes } from "./canonical.ts";

declare const pkBrand: unique symbol;
/** A 32-byte raw Ed25519 public key. */
export type PublicKeyBytes = Uint8Array & { readonly [pkBrand]: true };

const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** A signer holds the secret key; it never exposes, prints or serialises it. */
export class Signer {
  readonly #key: KeyObject;
  readonly publicKey: PublicKeyBytes;

  constructor(seed: Uint8Array) {
    if (seed.length !== 32) throw new TypeError("an Ed25519 seed is 32 bytes");
    this.#key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });
    this.publicKey = rawPublicKey(createPublicKey(this.#key));
  }

  static generate(): { signer: Signer; seed: Buffer } {
    const { privateKey } = generateKeyPairSync("ed25519");
    const der = privateKey.export({ format: "der", type: "pkcs8" });
    const seed = Buffer.from(der.subarray(der.length - 32));
    return { signer: new Signer(seed), seed };
  }

  sign(message: CanonicalBytes | Uint8Array): Buffer {
    return sign(null, message, this.#key);
  }

  toJSON(): string {
    return "[Signer: secret key withheld]";
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return `Signer(${Buffer.from(this.publicKey).toString("hex").slice(0, 16)}…)`;
  }
}

/** A verifier for one public key; cache and reuse it. */
export class Verifier {
  readonly #key: KeyObject;
  readonly publicKey: PublicKeyBytes;

  constructor(publicKey: Uint8Array) {
    this.publicKey = asPublicKey(publicKey);
    this.#key = publicKeyObject(publicKey);
  }

  verify(message: CanonicalBytes, signature: Uint8Array): boolean {
    if (signature.length !== 64) return false;
    try {
      return verify(null, message, this.#key, signature);
    } catch {
      return false;
    }
  }
}

export function asPublicKey(bytes: Uint8Array): PublicKeyBytes {
  if (bytes.length !== 32) throw new TypeError("an Ed25519 public key is 32 bytes");
  return bytes as PublicKeyBytes;
}

/** A raw 32-byte Ed25519 public key as a node:crypto key (for verifiers of other messages: signed notes). */
export function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return createPublicKey({
    key: Buffer.concat([SPKI_ED25519_PREFIX, asPublicKey(publicKey)]),
    format: "der",
    type: "spki",
  });
}

function rawPublicKey(key: KeyObject): PublicKeyBytes {
  const der = key.export({ format: "der", type: "spki" });
  return asPublicKey(new Uint8Array(der.subarray(der.length - 32)));
}
