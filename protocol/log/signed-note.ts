/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 signatures
 * (type 0x01) and C2SP tlog-cosignature/v1 timestamped cosignatures (type
 * 0x04). A note is its body, a blank line, then lines
 * "— <key name> base64(key id ‖ signature)". Keys:
 * key id = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4];
 * verifier key = "<name>+<8 hex key id>+<base64(type ‖ public key)>".
 */
import { createHash, verify as edVerify, type KeyObject } from "node:crypto";
import { publicKeyObject, type Signer } from "../crypto.ts";

export const ED25519 = 0x01;
export const COSIGNATURE_V1 = 0x04;
const DASH = "\u2014 ";

export function keyIdFor(name: string, type: number, publicKey: Uint8Array): Buffer {
  return createHash("sha256")
    .update(Buffer.from(name, "utf8"))
    .update(Buffer.from([0x0a, type]))
    .update(publicKey)
    .digest()
    .subarray(0, 4);
}

/** "<name>+<hex key id>+<base64(type ‖ key)>" */
export function vkeyFor(name: string, type: number, publicKey: Uint8Array): string {
  if (!/^[^\s+]+$/.test(name)) throw new TypeError("a note key name has no spaces or '+'");
  return `${name}+${keyIdFor(name, type, publicKey).toString("hex")}+${Buffer.concat([Buffer.from([type]), publicKey]).toString("base64")}`;
}

/** The verifier key of an Ed25519 note signer (the log's key: `GET /v1/log/vkey`). */
export function verifierKey(name: string, publicKey: Uint8Array): string {
  return vkeyFor(name, ED25519, publicKey);
}

/** A key that can check note signatures: the log's (0x01) or a witness's (0x04). */
export class NoteVerifier {
  readonly name: string;
  readonly type: number;
  readonly keyId: Buffer;
  readonly publicKey: Buffer;
  readonly #key: KeyObject;

  constructor(name: string, type: number, publicKey: Uint8Array) {
    if (type !== ED25519 && type !== COSIGNATURE_V1)
      throw new TypeError(`unsupported note key type 0x${type.toString(16)}`);
    this.name = name;
    this.type = type;
    this.publicKey = Buffer.from(publicKey);
    this.keyId = keyIdFor(name, type, publicKey);
    this.#key = publicKeyObject(publicKey);
  }

  static fromVkey(vkey: string): NoteVerifier {
    const m = /^([^\s+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
    if (!m) throw new TypeError("not a note verifier key: <name>+<hex id>+<base64 key>");
    const raw = Buffer.from(m[3]!, "base64");
    if (raw.length !== 33) throw new TypeError("only Ed25519 verifier keys (type 0x01 or 0x04) are supported");
    const v = new NoteVerifier(m[1]!, raw[0]!, raw.subarray(1));
    if (v.keyId.toString("hex") !== m[2]) throw new TypeError("verifier key id does not match its name and key");
    return v;
  }

  get vkey(): string {
    return vkeyFor(this.name, this.type, this.publicKey);
  }

  /** `sig` is the signature line's bytes after the 4-byte key id. Returns the cosignature time, or 0 for a plain signature. */
  verify(body: string, sig: Uint8Array): number | null {
    try {
      if (this.type === ED25519)
        return sig.length === 64 && edVerify(null, Buffer.from(body, "utf8"), this.#key, sig) ? 0 : null;
      if (sig.length !== 72) return null;
      const time = Buffer.from(sig).readBigUInt64BE(0);
      if (time >= 2n ** 63n) return null;
      return edVerify(null, cosignedMessage(body, time), this.#key, sig.subarray(8)) ? Number(time) : null;
    } catch {
      return null;
    }
  }
}

export function cosignedMessage(body: string, time: bigint | number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${time}\n${body}`, "utf8");
}

export interface NoteSignature {
  name: string;
  keyId: Buffer;
  /** Signature bytes after the key id. */
  sig: Buffer;
  line: string;
}

export interface ParsedNote {
  body: string;
  signatures: NoteSignature[];
}

/** Splits a note into body and signature lines; throws on anything malformed. */
export function parseNote(text: string): ParsedNote {
  if (!text.endsWith("\n")) throw new TypeError("a note ends with a newline");
  const split = text.lastIndexOf("\n\n");
  if (split < 0) throw new TypeError("a note has a body, a blank line and signatures");
  const body = text.slice(0, split + 1);
  // eslint-disable-next-line no-control-regex -- control characters are what this rejects (signed-note: only \n in a body)
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(body)) throw new TypeError("note body has control characters");
  const lines = text.slice(split + 2, -1).split("\n");
  if (lines.length > 100) throw new TypeError("too many note signatures");
  const signatures = lines.map((line) => {
    const m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/]+=*)$/.exec(line);
    if (!m) throw new TypeError(`malformed note signature line: ${line.slice(0, 80)}`);
    const raw = Buffer.from(m[2]!, "base64");
    if (raw.length < 5) throw new TypeError("note signature too short");
    return { name: m[1]!, keyId: raw.subarray(0, 4), sig: raw.subarray(4), line: line + "\n" };
  });
  return { body, signatures };
}

/** The signatures of `note` that verify against `verifiers`, by key name (unknown keys are ignored). */
export function verifiedSignatures(
  note: ParsedNote,
  verifiers: readonly NoteVerifier[],
): Map<string, { verifier: NoteVerifier; time: number }> {
  const out = new Map<string, { verifier: NoteVerifier; time: number }>();
  for (const s of note.signatures) {
    for (const v of verifiers) {
      if (v.name !== s.name || !v.keyId.equals(s.keyId)) continue;
      const time = v.verify(note.body, s.sig);
      if (time !== null) out.set(`${v.name}+${v.keyId.toString("hex")}`, { verifier: v, time });
    }
  }
  return out;
}

export function signatureLine(name: string, keyId: Uint8Array, sig: Uint8Array): string {
  return `${DASH}${name} ${Buffer.concat([keyId, sig]).toString("base64")}\n`;
}

/** The log's signature line over `body`. */
export function signNote(signer: Signer, name: string, body: string): string {
  return signatureLine(name, keyIdFor(name, ED25519, signer.publicKey), signer.sign(Buffer.from(body, "utf8")));
}

/** A witness's cosignature/v1 line over `body` at `time` (POSIX seconds). */
export function cosignNote(signer: Signer, name: string, body: string, time: number): string {
  const ts = Buffer.alloc(8);
  ts.writeBigUInt64BE(BigInt(time));
  const sig = signer.sign(cosignedMessage(body, time));
  return signatureLine(name, keyIdFor(name, COSIGNATURE_V1, signer.publicKey), Buffer.concat([ts, sig]));
}
