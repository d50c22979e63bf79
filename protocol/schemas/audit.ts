/**
 * tAudit on the wire: code submissions, auditor decisions, the registry as the
 * API shows it, the verdict-log entry every change appends, and the value the
 * registry publishes on the bus for validators to cache.
 *
 * A code hash is SHA-256 over the UTF-8 bytes of a function's normalised
 * source (the SDK's normaliser: TypeScript parse, types and comments erased,
 * one fixed layout), so the registry checks a submission by hashing it again.
 */
import { z } from "zod";
import { Hex64, IsoTime } from "./fields.ts";
import { readTag, TypeTags } from "../tags.ts";
import { safeJson } from "./safe.ts";
import { SignedAuditStatement } from "../audit/statement.ts";

export const AuditStates = ["pending", "approved", "revoked"] as const;
export const AuditState = z.enum(AuditStates);
export type AuditState = z.infer<typeof AuditState>;

export const AuditActions = ["submit", "approve", "revoke"] as const;
export const AuditAction = z.enum(AuditActions);
export type AuditAction = z.infer<typeof AuditAction>;

/** The largest normalised function source the registry stores. */
export const MAX_AUDIT_SOURCE_BYTES = 32 * 1024;

const FunctionName = z
  .string()
  .min(1)
  .max(200)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .regex(/^[^\u0000-\u001f]+$/, "a printable name");

/** `POST /v1/audit/code`: an agent or organisation submits one function for audit. */
export const AuditSubmission = safeJson(
  z
    .object({
      code_hash: Hex64,
      name: FunctionName,
      /** The normalised source whose SHA-256 is `code_hash`. */
      source: z.string().min(1).max(MAX_AUDIT_SOURCE_BYTES),
    })
    .strict(),
);
export type AuditSubmission = z.infer<typeof AuditSubmission>;

/** `signed`: the auditor's own signed statement of this approval (required once network.json names an auditor set). */
export const AuditApproval = safeJson(
  z.object({ note: z.string().max(500).optional(), signed: SignedAuditStatement.optional() }).strict(),
);
export type AuditApproval = z.infer<typeof AuditApproval>;

export const AuditRevocation = safeJson(
  z.object({ reason: z.string().min(1).max(500), signed: SignedAuditStatement.optional() }).strict(),
);
export type AuditRevocation = z.infer<typeof AuditRevocation>;

export const AuditHashParams = z.object({ code_hash: Hex64 }).strict();

export const AuditListQuery = z.object({
  state: AuditState.optional(),
  /** Page after this hash (records come in hash order). */
  after: Hex64.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** A registry record as the API shows it. */
export const AuditRecord = z.object({
  code_hash: Hex64,
  name: z.string(),
  state: AuditState,
  source: z.string().optional(),
  note: z.string().optional(),
  /** Index of the verdict-log entry that made the current state. */
  log_index: z.number().int().min(0),
  created_at: IsoTime,
  updated_at: IsoTime,
  /** True when this request created the record. */
  created: z.boolean().optional(),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export const AuditList = z.object({ records: z.array(AuditRecord), next: Hex64.optional() });
export type AuditList = z.infer<typeof AuditList>;

/** Who changed the registry. Agents stay anonymous in the public log; auditors are named. */
export const AuditActor = z.union([
  z.object({ role: z.literal("agent") }).strict(),
  z.object({ role: z.literal("auditor"), id: z.string().min(1).max(64) }).strict(),
]);
export type AuditActor = z.infer<typeof AuditActor>;

/** One registry change, as a verdict-log entry (its own JCS bytes, like a decision). */
export const AuditLogEntry = z
  .object({
    type: z.literal(TypeTags.audit),
    code_hash: Hex64,
    name: z.string(),
    action: AuditAction,
    from: AuditState.nullable(),
    to: AuditState,
    actor: AuditActor,
    note: z.string().max(500).optional(),
    at: IsoTime,
    /** The auditor's signed statement of an approval or revocation, checked against the auditor set. */
    signed: SignedAuditStatement.optional(),
  })
  .strict();
export type AuditLogEntry = z.infer<typeof AuditLogEntry>;

/** The registry's value for one hash on the bus (key: the hash), which validators cache. */
export const AuditStateValue = z
  .object({
    type: readTag("audit_state"),
    code_hash: Hex64,
    state: AuditState,
    log_index: z.number().int().min(0),
    updated_at: IsoTime,
  })
  .strict();
export type AuditStateValue = z.infer<typeof AuditStateValue>;
