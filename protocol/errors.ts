/**
 * The error catalogue. Every failure a client or an operator can see has a
 * permanent code here, with its HTTP status. Codes are never renamed or
 * reused; add new ones at the end of a group.
 */
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
  // 401/403: who is asking
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
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

  constructor(code: ErrorCode, message: string, opts: { cause?: unknown; issues?: Issue[] } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = "SiqError";
    this.code = code;
    this.statusCode = ErrorCodes[code];
    this.issues = opts.issues;
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
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
  };
  return reasons[status] ?? "Error";
}
