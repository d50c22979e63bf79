/** Time-ordered ids (ULID layout: 48-bit milliseconds + 80 random bits, Crockford base32). */
import { randomBytes } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function ulid(now = Date.now()): string {
  let out = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  const rnd = randomBytes(16);
  for (let i = 0; i < 16; i++) out += ALPHABET[rnd[i]! % 32];
  return out;
}

export function newId(prefix: string): string {
  return `${prefix}_${ulid()}`;
}
