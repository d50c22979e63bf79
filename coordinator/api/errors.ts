/** Maps every failure to the one error shape on the wire. */
import type { FastifyError, FastifyInstance } from "fastify";
import { z } from "zod";
import { noteErrorCode } from "./http-metrics.ts";
import { ErrorCodes, isSiqError, SiqError, type ErrorCode, type Issue } from "../../protocol/index.ts";

/** Fields whose malformed value has a code of its own (the first failing field decides). */
export const FIELD_CODES: Readonly<Record<string, ErrorCode>> = {
  amount: "INVALID_AMOUNT",
  sender: "INVALID_ADDRESS",
  receiver: "INVALID_ADDRESS",
  func_stack_hashes: "INVALID_HEX",
};

export function fromZod(error: z.ZodError, where: string): SiqError {
  const issues: Issue[] = error.issues
    .slice(0, 20)
    .map((i) => ({ path: i.path.join(".") || where, message: i.message }));
  const first = error.issues[0];
  const field = typeof first?.path[0] === "string" ? first.path[0] : "";
  // A refinement from protocol/schemas/safe.ts names its own code (e.g. NUL_CHARACTER).
  const own = first?.code === "custom" ? (first.params as { code?: unknown } | undefined)?.code : undefined;
  const code =
    typeof own === "string" && own in ErrorCodes ? (own as ErrorCode) : (FIELD_CODES[field] ?? "INVALID_REQUEST");
  const head = issues[0] ? `${issues[0].path}: ${issues[0].message}` : `invalid ${where}`;
  return new SiqError(code, head, { issues });
}

export function installErrorHandling(app: FastifyInstance, onInternal: (err: unknown) => void): void {
  app.setErrorHandler((err: FastifyError | SiqError, req, reply) => {
    const e = toSiqError(err);
    noteErrorCode(req, e.code);
    if (e.statusCode >= 500) onInternal(err);
    // RFC 6750: every 401 says how to authenticate, and why a token was refused.
    if (e.statusCode === 401)
      void reply.header(
        "www-authenticate",
        e.code === "UNAUTHENTICATED" ? 'Bearer realm="sentineliq"' : 'Bearer realm="sentineliq", error="invalid_token"',
      );
    if (e.retryAfterSeconds !== undefined) void reply.header("retry-after", String(Math.ceil(e.retryAfterSeconds)));
    void reply.status(e.statusCode).send(e.toWire());
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new SiqError("NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`);
    noteErrorCode(req, e.code);
    void reply.status(404).send(e.toWire());
  });
}

function toSiqError(err: FastifyError | SiqError): SiqError {
  if (isSiqError(err)) return err;
  const code = err.code ?? "";
  if (code === "FST_ERR_CTP_BODY_TOO_LARGE") return new SiqError("PAYLOAD_TOO_LARGE", "request body is too large");
  if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE")
    return new SiqError("UNSUPPORTED_MEDIA_TYPE", "send JSON with Content-Type: application/json");
  if (code.startsWith("FST_ERR_CTP") || err instanceof SyntaxError)
    return new SiqError("INVALID_JSON", "request body is not valid JSON");
  const status = err.statusCode;
  if (status && status >= 400 && status < 500) return new SiqError("INVALID_REQUEST", err.message);
  return new SiqError("INTERNAL", "internal error", { cause: err });
}
