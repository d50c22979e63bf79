/**
 * The error catalogue. Every failure a client or an operator can see has a
 * permanent code here, with its HTTP status. Codes are never renamed or
 * reused; add new ones at the end of a group. The codes that go on the wire
 * or into the log without being HTTP errors have their catalogues below (and
 * settlement failures in `settlement-errors.ts`); `docs/ERRORS.md` documents
 * every one, and `errors.test.ts` fails when a code is undocumented or when
 * the source uses a code no catalogue has.
 */
import { z } from "zod";

export const ErrorCodes = {
  // 400: the request itself is malformed
  INVALID_REQUEST: 400,
  INVALID_JSON: 400,
  INVALID_AMOUNT: 400,
  INVALID_ADDRESS: 400,
  INVALID_HEX: 400,
  // 400: values no signature or store can carry (checked on every body before its schema)
  LONE_SURROGATE: 400,
  NUL_CHARACTER: 400,
  NON_FINITE_NUMBER: 400,
  NESTING_TOO_DEEP: 400,
  // 400: operator accounts (a new password too short; a mailed token unknown, used or expired)
  WEAK_PASSWORD: 400,
  LINK_TOKEN_INVALID: 400,
  // 401/403: who is asking
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  // identity bound to keys: an agent key names only its own agents, an agent only its own wallets
  AGENT_NOT_ALLOWED: 403,
  WALLET_NOT_ALLOWED: 403,
  // a step-up is confirmed by an approver of the organisation, never by the agent's own key
  STEP_UP_NOT_BY_AGENT: 403,
  // 401/403: operator accounts (wrong email or password; a refused access or refresh token; a replayed
  // refresh token, whose session is now revoked; a login before the address is verified)
  INVALID_CREDENTIALS: 401,
  INVALID_TOKEN: 401,
  REFRESH_TOKEN_REUSED: 401,
  EMAIL_NOT_VERIFIED: 403,
  // operator logins, decided by the validator network: a step-up asked for, an account locked (with
  // Retry-After), and no decision in time (fail closed, with Retry-After)
  STEP_UP_REQUIRED: 403,
  ACCOUNT_LOCKED: 423,
  LOGIN_UNDECIDED: 503,
  // 404/409/413/415/422: state of the world
  NOT_FOUND: 404,
  IDEMPOTENCY_KEY_REUSED: 409,
  CONFLICT: 409,
  CHALLENGE_NOT_OPEN: 409,
  CHALLENGE_MISMATCH: 409,
  CHALLENGE_EXPIRED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  // tAudit: the submitted source does not hash to the code hash; a revoked hash cannot be approved
  CODE_HASH_MISMATCH: 422,
  AUDIT_REVOKED: 409,
  RATE_LIMITED: 429,
  // the Host header names no host this coordinator serves (DNS rebinding)
  UNTRUSTED_HOST: 421,
  // 5xx: ours
  INTERNAL: 500,
  BUS_UNAVAILABLE: 503,
  STORE_UNAVAILABLE: 503,
  NOT_READY: 503,
  // not HTTP-facing: configuration, keys, log integrity
  CONFIG_INVALID: 500,
  KEY_FILE_INVALID: 500,
  LOG_TAMPERED: 500,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

/**
 * The codes that go on the wire or into the log without being HTTP errors,
 * each with the catalogue it belongs to (a section of `docs/ERRORS.md`):
 * - payment_rejection: a payment's `error_details.code` when the challenge loop rejects it;
 * - quorum_reason: a reason the quorum gives itself, first in `reasons`, when no quorum formed;
 * - verdict_rejection: why the coordinator refused a verdict (logged in a decision's `rejected`,
 *   all but `DUPLICATE`, which is only a redelivery);
 * - verdict_result: what else became of a verdict (the `result` label of `siq_verdicts_total`,
 *   beside the rejection codes);
 * - log_problem, entry_problem: what `sentineliq log verify` finds wrong with a log, or with
 *   the meaning of one of its entries (it exits 1 and names the first);
 * - bus_refusal: why an actor refused a message on the bus as if the bus were hostile (it is
 *   dead-lettered with the code first in its reason, logged and counted; nothing changes).
 */
export const WireCodes = {
  CHALLENGE_EXPIRED: "payment_rejection",
  CHALLENGE_ATTEMPTS_EXHAUSTED: "payment_rejection",
  CHALLENGE_DECLINED: "payment_rejection",
  // The quorum's rejection classes (protocol/rejections.ts, in precedence order).
  QUORUM_FAILED: "payment_rejection",
  QUORUM_UNSAFE: "payment_rejection",
  SANCTIONS_BLOCKED: "payment_rejection",
  AUDIT_MISMATCH: "payment_rejection",
  TRUST_BREACH: "payment_rejection",
  AML_PATTERN: "payment_rejection",
  VALIDATION_FAILURE: "payment_rejection",
  RISK_REJECTED: "payment_rejection",
  QUORUM_NOT_REACHED: "quorum_reason",
  QUORUM_TIMEOUT: "quorum_reason",
  VALIDATORS_EXCLUDED: "quorum_reason",
  UNKNOWN_VALIDATOR: "verdict_rejection",
  NOT_A_MEMBER: "verdict_rejection",
  SUBJECT_MISMATCH: "verdict_rejection",
  WRONG_DIGEST: "verdict_rejection",
  WRONG_ATTEMPT: "verdict_rejection",
  STALE: "verdict_rejection",
  BAD_SIGNATURE: "verdict_rejection",
  BAD_EVIDENCE: "verdict_rejection",
  WRONG_EVIDENCE: "verdict_rejection",
  DUPLICATE: "verdict_rejection",
  ACCEPTED: "verdict_result",
  MALFORMED: "verdict_result",
  LATE: "verdict_result",
  REPLAYED: "verdict_result",
  REDELIVERED: "verdict_result",
  EQUIVOCATION: "verdict_result",
  BAD_CHECKPOINT: "log_problem",
  MISSING_TILE: "log_problem",
  BAD_BUNDLE: "log_problem",
  LEAF_MISMATCH: "log_problem",
  TILE_MISMATCH: "log_problem",
  ROOT_MISMATCH: "log_problem",
  WENT_BACKWARDS: "log_problem",
  FORK: "log_problem",
  BAD_TOMBSTONE: "log_problem",
  BAD_ENTRY: "entry_problem",
  BAD_VERDICT: "entry_problem",
  DECISION_MISMATCH: "entry_problem",
  BAD_AUDIT_TRANSITION: "entry_problem",
  EXCLUSION_MISMATCH: "entry_problem",
  EXCLUDED_COUNTED: "entry_problem",
  BAD_REINSTATEMENT: "entry_problem",
  UNKNOWN_ENTRY_TYPE: "entry_problem",
  BAD_AUDITOR_SIGNATURE: "entry_problem",
  BAD_ADMIN_SIGNATURE: "entry_problem",
  // Why an actor refused a message on the bus (in the dead letter's reason, and the refusal's log line).
  BAD_BUS_SIGNATURE: "bus_refusal",
  TASK_DIGEST_MISMATCH: "bus_refusal",
  UNKNOWN_PAYMENT: "bus_refusal",
  PAYMENT_NOT_APPROVED: "bus_refusal",
  DECISION_UNVERIFIED: "bus_refusal",
  OUTCOME_MISMATCH: "bus_refusal",
  STATE_GUARD: "bus_refusal",
  AUDIT_UNSIGNED: "bus_refusal",
  BAD_ERASURE: "bus_refusal",
  ADMIN_UNSIGNED: "bus_refusal",
} as const;
export type WireCode = keyof typeof WireCodes;
export type WireCodeKind = (typeof WireCodes)[WireCode];
export type CodesOf<K extends WireCodeKind> = {
  [C in WireCode]: (typeof WireCodes)[C] extends K ? C : never;
}[WireCode];

/** The codes of one catalogue, in order (for a zod enum). */
export function codesOf<K extends WireCodeKind>(...kinds: K[]): [CodesOf<K>, ...CodesOf<K>[]] {
  const codes = Object.keys(WireCodes).filter((c) => (kinds as string[]).includes(WireCodes[c as WireCode]));
  return codes as [CodesOf<K>, ...CodesOf<K>[]];
}

export const PaymentRejectionCode = z.enum(codesOf("payment_rejection"));
export type PaymentRejectionCode = CodesOf<"payment_rejection">;
export type QuorumReasonCode = CodesOf<"quorum_reason">;
export const VerdictRejectionCode = z.enum(codesOf("verdict_rejection"));
export type VerdictRejectionCode = CodesOf<"verdict_rejection">;
export type VerdictResultCode = CodesOf<"verdict_rejection" | "verdict_result">;
export type EntryProblemCode = CodesOf<"entry_problem">;
export type VerifyProblemCode = CodesOf<"log_problem" | "entry_problem">;
export type BusRefusalCode = CodesOf<"bus_refusal">;

/** The one error shape on the wire (Fastify's, plus the contract's `error_details`). */
export interface WireError {
  statusCode: number;
  error: string;
  code: ErrorCode;
  message: string;
  error_details: { code: ErrorCode; message: string; issues?: Issue[] };
}

export interface Issue {
  path: string;
  message: string;
}

/** A typed error. `details` holds machine-readable facts, never secrets. */
export class SiqError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly issues: Issue[] | undefined;
  /** When to try again (the answer's Retry-After header), for refusals that pass with time. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { cause?: unknown; issues?: Issue[]; retryAfterSeconds?: number } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "SiqError";
    this.code = code;
    this.statusCode = ErrorCodes[code];
    this.issues = opts.issues;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }

  toWire(): WireError {
    const details: WireError["error_details"] = { code: this.code, message: this.message };
    if (this.issues !== undefined) details.issues = this.issues;
    return {
      statusCode: this.statusCode,
      error: httpReason(this.statusCode),
      code: this.code,
      message: this.message,
      error_details: details,
    };
  }
}

export function isSiqError(e: unknown): e is SiqError {
  return e instanceof SiqError;
}

function httpReason(status: number): string {
  const reasons: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    421: "Misdirected Request",
    422: "Unprocessable Entity",
    423: "Locked",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
  };
  return reasons[status] ?? "Error";
}
