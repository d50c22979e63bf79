/**
 * The privacy routes, defined as data: erase a data subject of your
 * organisation (an agent, a user, an account address), export everything held
 * about one as a single JSON document, and the organisation's retention
 * policy. Each takes an owner's or admin's access token; another
 * organisation's subject is a 404.
 */
import { z } from "zod";
import type { ErrorCode } from "../errors.ts";
import type { Role } from "../accounts/schemas.ts";
import { SubjectKind } from "../log/erasure.ts";

const NoParams = z.object({}).strict();
const ADMINS: readonly Role[] = ["owner", "admin"];

/** An agent id, a user id or email, or an account address. */
export const SubjectId = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[A-Za-z0-9._@+:-]+$/, "an agent id, a user id or email, or an account address");
export const SubjectParams = z.object({ kind: SubjectKind, id: SubjectId }).strict();
export const SubjectQuery = z.object({ kind: SubjectKind, id: SubjectId });

export const ErasureResult = z
  .object({
    subject_kind: SubjectKind,
    subject_hash: z.string(),
    /** The index of the erasure entry in the log. */
    erasure_index: z.number().int(),
    entries_redacted: z.array(z.number().int()),
    rows_erased: z.number().int(),
  })
  .strict();
export type ErasureResult = z.infer<typeof ErasureResult>;

export const SubjectExport = z
  .object({
    subject: z.object({ kind: SubjectKind, id: z.string() }),
    organization: z.string(),
    exported_at: z.string(),
    payments: z.array(z.record(z.string(), z.unknown())),
    settlements: z.array(z.record(z.string(), z.unknown())),
    events: z.array(z.record(z.string(), z.unknown())),
    users: z.array(z.record(z.string(), z.unknown())),
    log_entries: z.array(z.object({ index: z.number().int(), type: z.string(), entry: z.unknown() })),
  })
  .strict();
export type SubjectExport = z.infer<typeof SubjectExport>;

const Days = z.number().int().min(1).max(36_500).nullable();
export const RetentionPolicy = z
  .object({
    /** Payments, settlements (their rows), decided and older than this. */
    operational_days: Days,
    /** Event rows older than this. */
    events_days: Days,
    /** Free text of raw requests (trace context, metadata, event metadata) older than this. */
    requests_days: Days,
  })
  .strict();
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

interface Def<P extends z.ZodType, B extends z.ZodType | undefined, Q extends z.ZodType | undefined> {
  method: "GET" | "PUT" | "DELETE";
  path: string;
  auth: "user";
  roles: readonly Role[];
  summary: string;
  params: P;
  body: B;
  query: Q;
  response: z.ZodType;
  errors?: readonly ErrorCode[];
}

const def = <P extends z.ZodType, B extends z.ZodType | undefined, Q extends z.ZodType | undefined>(d: Def<P, B, Q>) =>
  Object.freeze(d);

export const privacyRoutes = {
  privacyErase: def({
    method: "DELETE",
    path: "/v1/privacy/subjects/:kind/:id",
    auth: "user",
    roles: ADMINS,
    summary:
      "Erase a data subject of your organisation: its log entries become tombstones (leaf hashes kept), its rows are deleted or anonymised, and the erasure is logged (idempotent)",
    params: SubjectParams,
    body: undefined,
    query: undefined,
    response: ErasureResult,
    errors: ["NOT_FOUND", "CONFLICT", "NOT_READY"],
  }),
  privacyExport: def({
    method: "GET",
    path: "/v1/privacy/export",
    auth: "user",
    roles: ADMINS,
    summary: "Everything held about a data subject of your organisation, as one JSON document",
    params: NoParams,
    body: undefined,
    query: SubjectQuery,
    response: SubjectExport,
    errors: ["NOT_FOUND"],
  }),
  privacyRetentionGet: def({
    method: "GET",
    path: "/v1/privacy/retention",
    auth: "user",
    roles: ADMINS,
    summary: "Your organisation's retention policy (days per kind of row; null keeps them)",
    params: NoParams,
    body: undefined,
    query: undefined,
    response: RetentionPolicy,
  }),
  privacyRetentionSet: def({
    method: "PUT",
    path: "/v1/privacy/retention",
    auth: "user",
    roles: ADMINS,
    summary:
      "Set your organisation's retention policy: rows older than it are deleted on a schedule (log leaf hashes never)",
    params: NoParams,
    body: RetentionPolicy,
    query: undefined,
    response: RetentionPolicy,
  }),
};
