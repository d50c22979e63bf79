/**
 * C2SP signed-note (https://c2sp.org/signed-note) with Ed25519 signatures
 * (type 0x01) and C2SP tlog-cosignature/v1 timestamped cosignatures (type
 * 0x04), and the C2SP tlog-checkpoint body. A note is its body, a blank line,
 * then lines "— <key name> base64(key id ‖ signature)".
 */
import { createHash, createPublicKey, verify as edVerify, type KeyObject } from "node:crypto";
import type { Signer } from "../crypto.ts";
import { HASH_SIZE } from "./merkle.ts";
import { cutText } from "../text.ts";

export const ED25519 = 0x01;
export const COSIGNATURE_V1 = 0x04;
const DASH = "\u2014 ";
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

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
    if (publicKey.length !== 32) throw new TypeError("an Ed25519 public key is 32 bytes");
    this.name = name;
    this.type = type;
    this.publicKey = Buffer.from(publicKey);
    this.keyId = keyIdFor(name, type, publicKey);
    this.#key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: "der", type: "spki" });
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
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/.test(body)) throw new TypeError("note body has control characters");
  const lines = text.slice(split + 2, -1).split("\n");
  if (lines.length > 100) throw new TypeError("too many note signatures");
  const signatures = lines.map((line) => {
    const m = /^\u2014 ([^\s+]+) ([A-Za-z0-9+/]+=*)$/.exec(line);
    if (!m) throw new TypeError(`malformed note signature line: ${cutText(line, 80)}`);
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

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  extensions: string[];
}

export function checkpointBody(c: { origin: string; size: number; root: Uint8Array; extensions?: string[] }): string {
  return [c.origin, String(c.size), Buffer.from(c.root).toString("base64"), ...(c.extensions ?? [])].join("\n") + "\n";
}

export function parseCheckpointBody(body: string): Checkpoint {
  const lines = body.split("\n");
  if (lines.pop() !== "" || lines.length < 3)
    throw new TypeError("a checkpoint body is origin, size and root hash lines");
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size)))
    throw new TypeError(`bad checkpoint size "${size}"`);
  const rootBytes = Buffer.from(root, "base64");
  if (rootBytes.length !== HASH_SIZE || rootBytes.toString("base64") !== root)
    throw new TypeError("bad checkpoint root hash");
  if (origin === "" || extensions.some((e) => e === "")) throw new TypeError("empty checkpoint line");
  return { origin, size: Number(size), root: rootBytes, extensions };
}

/** Parses a signed checkpoint and checks the log's signature; throws with the reason. */
export function openCheckpoint(text: string, log: NoteVerifier): { checkpoint: Checkpoint; note: ParsedNote } {
  const note = parseNote(text);
  const checkpoint = parseCheckpointBody(note.body);
  if (checkpoint.origin !== log.name)
    throw new TypeError(`checkpoint origin "${checkpoint.origin}" is not the log "${log.name}"`);
  if (verifiedSignatures(note, [log]).size === 0)
    throw new TypeError("the checkpoint carries no valid signature from the log key");
  return { checkpoint, note };
}
