/**
 * Every HTTP route, defined once as data. The coordinator registers handlers
 * from these definitions and the client (CLI, bench, SDK) calls them from the
 * same ones, so the two can never drift apart.
 */
import { z } from "zod";
import { Id } from "./schemas/fields.ts";
import { ChallengeParams, ChallengeResponseRequest, ChallengeReviewRequest } from "./schemas/challenge.ts";
import { PaymentRequest, PaymentView } from "./schemas/payment.ts";
import { EventRequest, EventView } from "./schemas/event.ts";
import {
  AuditApproval,
  AuditHashParams,
  AuditList,
  AuditListQuery,
  AuditRecord,
  AuditRevocation,
  AuditSubmission,
} from "./schemas/audit.ts";
import { logRoutes } from "./log/routes.ts";
import { accountRoutes } from "./accounts/routes.ts";
import { privacyRoutes } from "./privacy/routes.ts";
import type { Role } from "./accounts/schemas.ts";
import { ReinstateRequest, ValidatorList, ValidatorParams } from "./schemas/validators.ts";
import type { ErrorCode } from "./errors.ts";
import { AnalyticsDashboard, AnalyticsQuery } from "./schemas/analytics.ts";

/**
 * Who may call a route: an agent (tenant API key), an auditor (auditor key),
 * an approver (a person of the tenant who confirms step-ups), an operator
 * (operator key), an agent or an auditor ("any"), a signed-in person (an
 * access token; `roles` narrows which), or anyone. A known key of the wrong
 * role gets a 403.
 */
export type Auth = "agent" | "auditor" | "approver" | "operator" | "user" | "any" | "none";

export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  B extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
> {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  auth: Auth;
  /** On `user` routes: the roles admitted (default: every role). */
  roles?: readonly Role[];
  /** On `user` routes: the organisation's agent keys are admitted too (scoped to their tenant). */
  agents?: boolean;
  summary: string;
  params: P;
  body: B;
  query: Q;
  response: z.ZodType;
  /** Media type of the answer (default `application/json`). */
  produces?: "text/plain" | "application/octet-stream";
  /**
   * What the handler itself may refuse with. Input (400), auth (401/403),
   * body (413/415) and internal (500) errors follow from the rest of the
   * definition; these are the route's own, documented in OpenAPI.
   */
  errors?: readonly ErrorCode[];
  /** Statuses other than 200 that also answer with `response` (e.g. `/ready`'s 503). */
  alsoAnswers?: readonly number[];
}

const NoParams = z.object({}).strict();
export const PaymentParams = z.object({ payment_id: Id }).strict();
export const EventParams = z.object({ event_id: Id }).strict();

export const Health = z.object({ status: z.string() }).catchall(z.unknown());

function route<P extends z.ZodType, B extends z.ZodType | undefined, Q extends z.ZodType | undefined>(
  def: RouteDef<P, B, Q>,
): RouteDef<P, B, Q> {
  return Object.freeze(def);
}

export const routes = {
  createPayment: route({
    method: "POST",
    path: "/v1/payments",
    auth: "agent",
    summary: "Submit a payment for evaluation by the validator network",
    params: NoParams,
    body: PaymentRequest,
    query: undefined,
    response: PaymentView,
    errors: ["IDEMPOTENCY_KEY_REUSED", "AGENT_NOT_ALLOWED", "WALLET_NOT_ALLOWED", "BUS_UNAVAILABLE"],
  }),
  getPayment: route({
    method: "GET",
    path: "/v1/payments/:payment_id",
    auth: "agent",
    summary: "A payment with its verdict history",
    params: PaymentParams,
    body: undefined,
    query: undefined,
    response: PaymentView,
    errors: ["NOT_FOUND"],
  }),
  createEvent: route({
    method: "POST",
    path: "/v1/events",
    auth: "agent",
    summary:
      "Submit an authentication or behaviour event (login, password or device change) for scoring by the network",
    params: NoParams,
    body: EventRequest,
    query: undefined,
    response: EventView,
    errors: ["IDEMPOTENCY_KEY_REUSED", "AGENT_NOT_ALLOWED", "BUS_UNAVAILABLE"],
  }),
  getEvent: route({
    method: "GET",
    path: "/v1/events/:event_id",
    auth: "agent",
    summary: "An event with its decision",
    params: EventParams,
    body: undefined,
    query: undefined,
    response: EventView,
    errors: ["NOT_FOUND"],
  }),
  challengeResponse: route({
    method: "POST",
    path: "/v1/payments/:payment_id/challenge-response",
    auth: "agent",
    summary: "Answer a payment's challenge; the network evaluates it again with the evidence",
    params: PaymentParams,
    body: ChallengeResponseRequest,
    query: undefined,
    response: PaymentView,
    errors: [
      "NOT_FOUND",
      "CHALLENGE_NOT_OPEN",
      "CHALLENGE_MISMATCH",
      "CHALLENGE_EXPIRED",
      "AGENT_NOT_ALLOWED",
      "STEP_UP_NOT_BY_AGENT",
      "BUS_UNAVAILABLE",
      "NOT_READY",
    ],
  }),
  approveChallenge: route({
    method: "POST",
    path: "/v1/challenges/:challenge_id/approve",
    auth: "approver",
    summary:
      "Confirm a payment's challenge out of band (approvers of the organisation only); the network evaluates it again",
    params: ChallengeParams,
    body: ChallengeReviewRequest,
    query: undefined,
    response: PaymentView,
    errors: ["NOT_FOUND", "CHALLENGE_NOT_OPEN", "CHALLENGE_EXPIRED", "BUS_UNAVAILABLE", "NOT_READY"],
  }),
  declineChallenge: route({
    method: "POST",
    path: "/v1/challenges/:challenge_id/decline",
    auth: "approver",
    summary: "Decline a payment's challenge (approvers of the organisation only); the payment is rejected",
    params: ChallengeParams,
    body: ChallengeReviewRequest,
    query: undefined,
    response: PaymentView,
    errors: ["NOT_FOUND", "CHALLENGE_NOT_OPEN", "CHALLENGE_EXPIRED", "NOT_READY"],
  }),
  paymentReceipt: route({
    method: "GET",
    path: "/v1/payments/:payment_id/receipt",
    auth: "agent",
    summary: "A C2SP tlog-proof that the payment's latest decision is in the log (text/plain)",
    params: PaymentParams,
    body: undefined,
    query: undefined,
    response: z.string(),
    produces: "text/plain",
    errors: ["NOT_FOUND", "NOT_READY"],
  }),
  ...logRoutes,
  ...accountRoutes,
  ...privacyRoutes,
  auditSubmit: route({
    method: "POST",
    path: "/v1/audit/code",
    auth: "agent",
    summary: "Submit a payment function's normalised source for audit (idempotent by code hash)",
    params: NoParams,
    body: AuditSubmission,
    query: undefined,
    response: AuditRecord,
    errors: ["CODE_HASH_MISMATCH", "NOT_READY"],
  }),
  auditList: route({
    method: "GET",
    path: "/v1/audit/code",
    auth: "any",
    summary: "Registry records (an agent sees the hashes its organisation submitted; an auditor sees all)",
    params: NoParams,
    body: undefined,
    query: AuditListQuery,
    response: AuditList,
  }),
  auditGet: route({
    method: "GET",
    path: "/v1/audit/code/:code_hash",
    auth: "any",
    summary: "One registry record, with the submitted source",
    params: AuditHashParams,
    body: undefined,
    query: undefined,
    response: AuditRecord,
    errors: ["NOT_FOUND"],
  }),
  auditApprove: route({
    method: "POST",
    path: "/v1/audit/code/:code_hash/approve",
    auth: "auditor",
    summary: "Approve a pending code hash (auditors only)",
    params: AuditHashParams,
    body: AuditApproval,
    query: undefined,
    response: AuditRecord,
    errors: ["NOT_FOUND", "AUDIT_REVOKED", "NOT_READY"],
  }),
  auditRevoke: route({
    method: "POST",
    path: "/v1/audit/code/:code_hash/revoke",
    auth: "auditor",
    summary: "Revoke a code hash for good (auditors only)",
    params: AuditHashParams,
    body: AuditRevocation,
    query: undefined,
    response: AuditRecord,
    errors: ["NOT_FOUND", "NOT_READY"],
  }),
  validatorsList: route({
    method: "GET",
    path: "/v1/validators",
    auth: "operator",
    summary:
      "Every validator: alive, weights, whether it is excluded for equivocation and on what evidence (operators)",
    params: NoParams,
    body: undefined,
    query: undefined,
    response: ValidatorList,
  }),
  validatorReinstate: route({
    method: "POST",
    path: "/v1/validators/:validator_id/reinstate",
    auth: "operator",
    summary: "Reinstate a validator excluded for equivocation: its verdicts count again (logged; operators)",
    params: ValidatorParams,
    body: ReinstateRequest,
    query: undefined,
    response: ValidatorList,
    errors: ["NOT_FOUND", "CONFLICT", "NOT_READY"],
  }),
  analyticsDashboard: route({
    method: "GET",
    path: "/v1/analytics/dashboard",
    auth: "user",
    agents: true,
    summary:
      "Your organisation's payments over a window in buckets: volume, decision mix, risk levels, decision latency p50/p95/p99 and top reasons (people of the organisation, or its agent keys)",
    params: NoParams,
    body: undefined,
    query: AnalyticsQuery,
    response: AnalyticsDashboard,
  }),
  health: route({
    method: "GET",
    path: "/health",
    auth: "none",
    summary: "Liveness",
    params: NoParams,
    body: undefined,
    query: undefined,
    response: Health,
  }),
  ready: route({
    method: "GET",
    path: "/ready",
    auth: "none",
    summary: "Readiness: bus, storage and a quorum of validators",
    params: NoParams,
    body: undefined,
    query: undefined,
    response: Health,
    alsoAnswers: [503],
  }),
} as const;

export type Routes = typeof routes;

/** Fill `:name` segments of a path. */
export function routePath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/:([a-z_]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new TypeError(`missing path parameter ${name}`);
    return encodeURIComponent(value);
  });
}
