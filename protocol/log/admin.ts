/**
 * The audit trail of people and system changes (`sentineliq.admin.v1`): who
 * (`actor`) did what (`action`) to what (`target`) in which organisation, and
 * when. The coordinator signs each record with its log key (Ed25519 over the
 * JCS bytes of the record without `signature`: JCS holds no newline, so these
 * bytes are never a signed note), so `sentineliq log verify`, which always
 * holds that key, checks each one like a decision. `details` are flat facts,
 * never secrets: a key that names a password, secret, token or private key is
 * refused, and so is any value longer than 256 characters (no raw keys).
 */
import { z } from "zod";
import { canonicalBytes, sha256Hex } from "../canonical.ts";
import type { Signer, Verifier } from "../crypto.ts";
import { Base64, Id, IsoTime } from "../schemas/fields.ts";
import { safeJson, safeText } from "../schemas/safe.ts";
import { TypeTags } from "../tags.ts";
import type { EntryProblem } from "./verify-event.ts";

export const ADMIN_ENTRY_TYPE = TypeTags.admin;

/** Every action the trail records; those marked "ready" have no route yet and are one `record` call away. */
export const AdminActions = [
  "org.created",
  "org.settings_changed",
  "user.registered",
  "user.invited",
  "user.role_changed",
  "user.deactivated",
  "user.password_reset",
  "key.created", // ready: agent keys as data
  "key.rotated", // ready: agent keys as data
  "key.revoked", // ready: agent keys as data
  "validator.reinstated",
  "rules.pack_changed", // ready: the coordinator does not load rule packs (validators do)
] as const;
export const AdminAction = z.enum(AdminActions);
export type AdminAction = z.infer<typeof AdminAction>;

export const AdminActor = z
  .object({
    kind: z.enum(["user", "operator", "system"]),
    id: Id,
    /** The actor's organisation (null for operators and the system). */
    org: Id.nullable(),
  })
  .strict();
export type AdminActor = z.infer<typeof AdminActor>;

export const AdminTarget = z
  .object({
    kind: z.enum(["org", "user", "invitation", "key", "validator", "rules"]),
    id: safeText(256).min(1),
  })
  .strict();

/** Detail keys that could carry a secret: refused whatever the value. */
const SECRET_KEY = /pass|secret|token|private|seed|api_?key|credential|hash/i;

export const AdminDetails = z
  .record(z.string().min(1).max(64), z.union([safeText(256), z.number(), z.boolean(), z.null()]))
  .refine((d) => Object.keys(d).length <= 32, "at most 32 details")
  .refine((d) => !Object.keys(d).some((k) => SECRET_KEY.test(k)), "details never hold passwords, secrets or keys");

const fields = {
  type: z.literal(ADMIN_ENTRY_TYPE),
  actor: AdminActor,
  action: AdminAction,
  target: AdminTarget,
  /** The organisation the change belongs to: its readers and auditors read the entry; null is auditors only. */
  org: Id.nullable(),
  at: IsoTime,
  details: AdminDetails,
};

export const AdminChange = safeJson(z.object(fields).strict());
export type AdminChange = z.infer<typeof AdminChange>;

export const AdminRecord = safeJson(z.object({ ...fields, signature: Base64.length(88) }).strict());
export type AdminRecord = z.infer<typeof AdminRecord>;

/** What the record's signature covers: its canonical bytes without `signature`. */
export function adminSignedBytes(r: Omit<AdminRecord, "signature"> & { signature?: string }) {
  const { signature: _, ...rest } = r;
  return canonicalBytes(rest);
}

/** The change, checked and signed by the coordinator's log key. Throws (zod) on a change the schema refuses. */
export function signAdminRecord(signer: Signer, change: Omit<AdminChange, "type">): AdminRecord {
  const body = AdminChange.parse({ type: ADMIN_ENTRY_TYPE, ...change });
  return { ...body, signature: signer.sign(adminSignedBytes(body)).toString("base64") };
}

/**
 * The dedup key of an admin entry: `admin:<org or ->:<sha256 of its bytes>`. Readers of the organisation are
 * found by it (coordinator/log/access.ts), so it names the organisation.
 */
export function adminEntryKey(org: string | null, bytes: Uint8Array): string {
  return `admin:${org ?? "-"}:${sha256Hex(bytes)}`;
}

/**
 * A logged admin record: its shape, and (with the coordinator's log key) its signature. Without the key the
 * shape is checked and the entry reported as not checked.
 */
export function checkAdminEntry(json: unknown, coordinator: Verifier | undefined): EntryProblem | { checked: boolean } {
  const r = AdminRecord.safeParse(json);
  if (!r.success) return ["BAD_ENTRY", `malformed admin record: ${r.error.issues[0]?.message}`];
  if (!coordinator) return { checked: false };
  if (!coordinator.verify(adminSignedBytes(r.data), Buffer.from(r.data.signature, "base64")))
    return ["BAD_ADMIN_SIGNATURE", `admin record ${r.data.action} is not signed by the coordinator's log key`];
  return { checked: true };
}
