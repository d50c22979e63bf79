/**
 * Canonical encoding: RFC 8785 JSON Canonicalization Scheme (JCS).
 *
 * Everything SentinelIQ signs or hashes is the UTF-8 JCS form of a plain JSON
 * object that names its own type (`"type": "sentineliq.verdict.v1"`, ...), so
 * a signature over one kind of object can never be replayed as another, and
 * any JCS implementation in any language reproduces the exact bytes.
 * Amounts are decimal strings, so no float formatting question ever arises.
 */
import { createHash } from "node:crypto";
import { jcs } from "./jcs.ts";

declare const canonicalBrand: unique symbol;
/** Bytes known to be the JCS encoding of a value. Only `canonicalBytes` makes them. */
export type CanonicalBytes = Uint8Array & { readonly [canonicalBrand]: true };

const encoder = new TextEncoder();

export function canonicalString(value: unknown): string {
  if (value === undefined) throw new TypeError("value has no canonical JSON form");
  return jcs(value);
}

export function canonicalBytes(value: unknown): CanonicalBytes {
  return encoder.encode(canonicalString(value)) as CanonicalBytes;
}

/** True when `bytes` are exactly the JCS form of the JSON they hold. */
export function isCanonical(bytes: Uint8Array): bytes is CanonicalBytes {
  try {
    const again = canonicalBytes(JSON.parse(Buffer.from(bytes).toString("utf8")));
    return Buffer.compare(Buffer.from(again), Buffer.from(bytes)) === 0;
  } catch {
    return false;
  }
}

export function sha256(data: Uint8Array | string): Buffer {
  return createHash("sha256").update(data).digest();
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The `type` of a canonical JSON object, parsed once; undefined when not canonical or untyped. */
export function canonicalType(bytes: Uint8Array): string | undefined {
  try {
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
    const value: unknown = JSON.parse(text);
    if (canonicalString(value) !== text) return undefined;
    const type = typeof value === "object" && value !== null ? (value as { type?: unknown }).type : undefined;
    return typeof type === "string" ? type : undefined;
  } catch {
    return undefined;
  }
}
