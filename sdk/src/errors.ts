/**
 * Typed errors. Every failure the API reports carries `error_details`
 * ({ code, message, issues? }); the SDK raises it as the class for its status
 * and keeps the details. Decisions that stop a payment (rejected, challenged
 * and unanswered, failed, still pending) are errors too, carrying the payment.
 */
import { cutText } from "./text.ts";
import type { ErrorDetails, Payment, Reason } from "./wire.ts";

export class SentinelIQError extends Error {
  /** A stable machine-readable code (the API's `error_details.code`, or the SDK's own). */
  readonly code: string;
  /** The HTTP status, when the API answered. */
  readonly status: number | undefined;
  readonly details: ErrorDetails;

  constructor(message: string, opts: { code: string; status?: number; details?: ErrorDetails; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.status = opts.status;
    this.details = opts.details ?? { code: opts.code, message };
  }
}

/** 400, 413, 415: the request is malformed; `details.issues` points at the fields. */
export class InvalidRequestError extends SentinelIQError {}
/** 401: no or unknown API key. */
export class AuthenticationError extends SentinelIQError {}
/** 403: the key is known but may not do this (an agent approving code, an auditor paying). */
export class PermissionDeniedError extends SentinelIQError {}
/** 404 */
export class NotFoundError extends SentinelIQError {}
/** 409 IDEMPOTENCY_KEY_REUSED: the key was used for a different request. */
export class IdempotencyConflictError extends SentinelIQError {}
/** 409: the state of the world forbids it (for example AUDIT_REVOKED). */
export class ConflictError extends SentinelIQError {}
/** 422: well-formed but wrong (for example CODE_HASH_MISMATCH). */
export class UnprocessableError extends SentinelIQError {}
/** 429 */
export class RateLimitedError extends SentinelIQError {}
/** 5xx, after the retries ran out. */
export class ServiceUnavailableError extends SentinelIQError {}
/** No answer at all (connection refused, reset, timed out), after the retries ran out. */
export class NetworkError extends SentinelIQError {}

/** A payment the network did not let through. */
export class PaymentDeclinedError extends SentinelIQError {
  readonly payment: Payment;
  constructor(message: string, code: string, payment: Payment) {
    super(message, { code, details: payment.error_details ?? { code, message } });
    this.payment = payment;
  }
  get reasons(): Reason[] {
    return this.payment.reasons;
  }
  get riskLevel(): Payment["risk_level"] {
    return this.payment.risk_level;
  }
}

/** Decision `reject` (CRITICAL). */
export class PaymentRejectedError extends PaymentDeclinedError {}
/** Decision `challenge`, and the challenge was not answered (no handler, the handler declined, or too many rounds). */
export class PaymentChallengedError extends PaymentDeclinedError {}
/** Approved but could not be settled; `details` says why. */
export class PaymentFailedError extends PaymentDeclinedError {}
/** No decision within the SDK's wait; the payment may still be decided later (same idempotency key). */
export class PaymentPendingError extends PaymentDeclinedError {}

/** The error for an API answer that is not 2xx. */
export function errorFromResponse(status: number, body: unknown): SentinelIQError {
  const wire = body as { error_details?: ErrorDetails; message?: string; code?: string } | undefined;
  const details: ErrorDetails =
    wire && typeof wire === "object" && wire.error_details && typeof wire.error_details.code === "string"
      ? wire.error_details
      : { code: `HTTP_${status}`, message: typeof body === "string" && body ? cutText(body, 200) : `HTTP ${status}` };
  const opts = { code: details.code, status, details };
  const message = `${details.code}: ${details.message}`;
  if (status === 401) return new AuthenticationError(message, opts);
  if (status === 403) return new PermissionDeniedError(message, opts);
  if (status === 404) return new NotFoundError(message, opts);
  if (status === 409)
    return details.code === "IDEMPOTENCY_KEY_REUSED"
      ? new IdempotencyConflictError(message, opts)
      : new ConflictError(message, opts);
  if (status === 422) return new UnprocessableError(message, opts);
  if (status === 429) return new RateLimitedError(message, opts);
  if (status >= 500) return new ServiceUnavailableError(message, opts);
  return new InvalidRequestError(message, opts);
}
