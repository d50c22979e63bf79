/**
 * An independent RFC 6962 and signed-note implementation for tests: written
 * from the RFCs, sharing no code with protocol/log, signing with tweetnacl.
 */
import { createHash } from "node:crypto";
import nacl from "tweetnacl";

const sha = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};
export const leaf = (e: Uint8Array) => sha(Buffer.from([0]), e);
const node = (l: Uint8Array, r: Uint8Array) => sha(Buffer.from([1]), l, r);
const k = (n: number) => 2 ** Math.ceil(Math.log2(n) - 1);

export function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leaves[0]!;
  const s = k(leaves.length);
  return node(mth(leaves.slice(0, s)), mth(leaves.slice(s)));
}

export function path(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const s = k(leaves.length);
  return m < s
    ? [...path(m, leaves.slice(0, s)), mth(leaves.slice(s))]
    : [...path(m - s, leaves.slice(s)), mth(leaves.slice(0, s))];
}

export function consistency(m: number, leaves: Buffer[], whole = true): Buffer[] {
  if (m === leaves.length) return whole ? [] : [mth(leaves)];
  const s = k(leaves.length);
  return m <= s
    ? [...consistency(m, leaves.slice(0, s), whole), mth(leaves.slice(s))]
    : [...consistency(m - s, leaves.slice(s), false), mth(leaves.slice(0, s))];
}

/** Checks one Ed25519 note signature line for `name` with tweetnacl; returns the body. */
export function checkNote(note: string, vkey: string): { origin: string; size: number; root: Buffer } {
  const [, name, idHex, b64] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(vkey.trim()) as unknown as [
    string,
    string,
    string,
    string,
  ];
  const raw = Buffer.from(b64, "base64");
  if (raw[0] !== 1) throw new Error("not an Ed25519 vkey");
  const id = sha(Buffer.from(name), Buffer.from([0x0a, 0x01]), raw.subarray(1)).subarray(0, 4);
  if (id.toString("hex") !== idHex) throw new Error("vkey id mismatch");
  const cut = note.lastIndexOf("\n\n");
  const body = note.slice(0, cut + 1);
  const ok = note
    .slice(cut + 2)
    .split("\n")
    .filter((l) => l.startsWith(`\u2014 ${name} `))
    .some((l) => {
      const sig = Buffer.from(l.split(" ")[2]!, "base64");
      return (
        sig.subarray(0, 4).equals(id) && nacl.sign.detached.verify(Buffer.from(body), sig.subarray(4), raw.subarray(1))
      );
    });
  if (!ok) throw new Error("no valid log signature");
  const [origin, size, root] = body.split("\n") as [string, string, string];
  return { origin, size: Number(size), root: Buffer.from(root, "base64") };
}

export function signNoteNacl(body: string, name: string, secretKey: Uint8Array, publicKey: Uint8Array): string {
  const id = sha(Buffer.from(name), Buffer.from([0x0a, 0x01]), publicKey).subarray(0, 4);
  const sig = nacl.sign.detached(Buffer.from(body), secretKey);
  return `${body}\n\u2014 ${name} ${Buffer.concat([id, sig]).toString("base64")}\n`;
}

export function vkeyNacl(name: string, publicKey: Uint8Array): string {
  const id = sha(Buffer.from(name), Buffer.from([0x0a, 0x01]), publicKey).subarray(0, 4);
  return `${name}+${id.toString("hex")}+${Buffer.concat([Buffer.from([1]), publicKey]).toString("base64")}`;
}
