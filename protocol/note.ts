/**
 * C2SP signed-note keys (https://c2sp.org/signed-note) for Ed25519:
 * key id = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4];
 * verifier key = "<name>+<8 hex key id>+<base64(0x01 ‖ public key)>".
 */
import { sha256 } from "./canonical.ts";

const ED25519 = 0x01;

export function noteKeyId(name: string, publicKey: Uint8Array): Buffer {
  return sha256(Buffer.concat([Buffer.from(name, "utf8"), Buffer.from([0x0a, ED25519]), publicKey])).subarray(0, 4);
}

export function verifierKey(name: string, publicKey: Uint8Array): string {
  if (!/^[^\s+]+$/.test(name)) throw new TypeError("a note key name has no spaces or '+'");
  const id = noteKeyId(name, publicKey).toString("hex");
  return `${name}+${id}+${Buffer.concat([Buffer.from([ED25519]), publicKey]).toString("base64")}`;
}

export function parseVerifierKey(vkey: string): { name: string; keyId: Buffer; publicKey: Buffer } {
  const m = /^([^\s+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(vkey.trim());
  if (!m) throw new TypeError("not a note verifier key: <name>+<hex id>+<base64 key>");
  const [, name, idHex, b64] = m as unknown as [string, string, string, string];
  const raw = Buffer.from(b64, "base64");
  if (raw.length !== 33 || raw[0] !== ED25519)
    throw new TypeError("only Ed25519 (type 0x01) verifier keys are supported");
  const publicKey = raw.subarray(1);
  const keyId = Buffer.from(idHex, "hex");
  if (!noteKeyId(name, publicKey).equals(keyId)) throw new TypeError("verifier key id does not match its name and key");
  return { name, keyId, publicKey };
}
