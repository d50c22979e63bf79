/**
 * The verdict log as a signed hash chain (format "sentineliq.chain.v1"):
 *   leaf_hash(e)   = SHA-256(0x00 ‖ e)                      (RFC 6962 leaf hash)
 *   hash_i         = SHA-256(hash_{i-1} ‖ leaf_hash(e_i)),  hash_{-1} = 32 zero bytes
 *   signature_i    = Ed25519(log key, JCS({type:"sentineliq.loghead.v1", origin, index: i, hash: hex(hash_i)}))
 * so changing, dropping or reordering any entry breaks every later hash, and
 * each head is signed by the log key.
 */
import { canonicalBytes, sha256 } from "../canonical.ts";
import type { Signer, Verifier } from "../crypto.ts";

export const GENESIS_HASH = Buffer.alloc(32);

export function leafHash(entry: Uint8Array): Buffer {
  return sha256(Buffer.concat([Buffer.from([0x00]), entry]));
}

export function chainHash(prev: Uint8Array, entry: Uint8Array): Buffer {
  return sha256(Buffer.concat([prev, leafHash(entry)]));
}

export function headBytes(origin: string, index: number, hash: Uint8Array) {
  return canonicalBytes({ type: "sentineliq.loghead.v1", origin, index, hash: Buffer.from(hash).toString("hex") });
}

export function signHead(signer: Signer, origin: string, index: number, hash: Uint8Array): Buffer {
  return signer.sign(headBytes(origin, index, hash));
}

export function verifyHead(verifier: Verifier, origin: string, index: number, hash: Uint8Array, sig: Uint8Array): boolean {
  return verifier.verify(headBytes(origin, index, hash), sig);
}

export interface ChainRow {
  index: number;
  entry: Uint8Array;
  prevHash: Uint8Array;
  hash: Uint8Array;
  signature: Uint8Array;
}
