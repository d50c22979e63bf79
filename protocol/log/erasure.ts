/**
 * Erasure of a data subject (an agent, a user, an account address) without
 * breaking the log. The tree never changes: an erased entry's stored bytes are
 * replaced by a tombstone (`sentineliq.redacted.v1`) that keeps its index, its
 * leaf hash (the level-0 tile holds the same hash) and the index of the
 * erasure entry that redacted it. `log verify` checks a tombstone against its
 * tile's leaf hash instead of hashing it, and counts it as redacted. The
 * erasure itself is logged (`sentineliq.erasure.v1`) with the subject only as
 * a keyed hash (HMAC-SHA-256 under the organisation's privacy key), never the
 * raw id.
 */
import { createHmac } from "node:crypto";
import { z } from "zod";
import { canonicalBytes, isCanonical, sha256Hex } from "../canonical.ts";
import { Base64, Hex64, Id, IsoTime } from "../schemas/fields.ts";
import { TypeTags } from "../tags.ts";

export const ERASURE_ENTRY_TYPE = TypeTags.erasure;
export const TOMBSTONE_TYPE = TypeTags.redacted;

export const SubjectKinds = ["agent", "user", "account"] as const;
export const SubjectKind = z.enum(SubjectKinds);
export type SubjectKind = z.infer<typeof SubjectKind>;

export const Tombstone = z
  .object({
    type: z.literal(TOMBSTONE_TYPE),
    index: z.number().int().nonnegative(),
    /** base64 of the erased entry's leaf hash, SHA-256(0x00 || entry bytes). */
    leaf_hash: Base64.length(44),
    /** The erasure entry that redacted it. */
    erasure_index: z.number().int().nonnegative(),
  })
  .strict();
export type Tombstone = z.infer<typeof Tombstone>;

export const ErasureRecord = z
  .object({
    type: z.literal(ERASURE_ENTRY_TYPE),
    org: Id,
    subject_kind: SubjectKind,
    /** HMAC-SHA-256 of the subject id under the organisation's privacy key (hex). */
    subject_hash: Hex64,
    /** The indexes of the entries this erasure redacted (none when erased before). */
    entries_redacted: z.array(z.number().int().nonnegative()).max(10_000),
    /** Operational rows deleted or anonymised. */
    rows_erased: z.number().int().nonnegative(),
    actor: z.object({ kind: z.literal("user"), id: Id }).strict(),
    at: IsoTime,
  })
  .strict();
export type ErasureRecord = z.infer<typeof ErasureRecord>;

export function tombstoneBytes(t: Omit<Tombstone, "type">): Uint8Array {
  return canonicalBytes({ type: TOMBSTONE_TYPE, ...t });
}

/** The tombstone these bytes are, or undefined when they are an ordinary entry. */
export function readTombstone(bytes: Uint8Array): Tombstone | undefined {
  const text = Buffer.from(bytes).toString("utf8");
  if (!text.includes(TOMBSTONE_TYPE) || !isCanonical(bytes)) return undefined;
  try {
    const r = Tombstone.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** The subject as it is logged: a keyed hash, so the log never names it. */
export function subjectHash(key: Uint8Array, kind: SubjectKind, id: string): string {
  return createHmac("sha256", key).update(`${kind}:${id}`).digest("hex");
}

/** The dedup key of an erasure entry; it names the organisation, whose readers read it. */
export function erasureEntryKey(org: string, bytes: Uint8Array): string {
  return `erasure:${org}:${sha256Hex(bytes)}`;
}
