/**
 * The SDK carries its own copy of the wire (so the published package needs
 * neither zod nor the server). These checks keep that copy identical to
 * `protocol/`: same routes, assignable types both ways (checked by tsc), and
 * every error code of the catalogue raised as the right typed error.
 */
import { describe, expect, it } from "vitest";
import * as protocol from "../protocol/index.ts";
import * as sdk from "../sdk/src/index.ts";
import { errorFromResponse } from "../sdk/src/errors.ts";

// Type-level: each side's shape is assignable to the other's (tsc fails the build otherwise).
type Assignable<A, B extends A> = B;
export type WireChecks = [
  Assignable<sdk.PaymentRequest, protocol.PaymentRequest>,
  Assignable<protocol.PaymentRequest, sdk.PaymentRequest>,
  Assignable<sdk.Payment, protocol.PaymentView>,
  Assignable<sdk.AuditRecord, protocol.AuditRecord>,
  Assignable<protocol.AuditRecord, sdk.AuditRecord>,
  Assignable<sdk.AuditSubmission, protocol.AuditSubmission>,
  Assignable<sdk.AuditList, protocol.AuditList>,
  Assignable<sdk.WireError, protocol.WireError>,
  Assignable<protocol.ChallengeResponseRequest, sdk.ChallengeAnswer>,
];

describe("the SDK's copy of the wire", () => {
  it("calls every route it shares with protocol/ by the same method and path", () => {
    const server = Object.values(protocol.routes).map((r) => `${r.method} ${r.path}`);
    for (const [name, r] of Object.entries(sdk.routes)) {
      expect(server, name).toContain(`${r.method} ${r.path}`);
      expect(protocol.routes[name as keyof typeof protocol.routes], name).toMatchObject({
        method: r.method,
        path: r.path,
      });
    }
  });

  it("raises every catalogued error code as the typed error for its status, keeping the details", () => {
    const classFor = (status: number) =>
      status === 401
        ? sdk.AuthenticationError
        : status === 403
          ? sdk.PermissionDeniedError
          : status === 404
            ? sdk.NotFoundError
            : status === 409
              ? sdk.ConflictError
              : status === 422
                ? sdk.UnprocessableError
                : status === 429
                  ? sdk.RateLimitedError
                  : status >= 500
                    ? sdk.ServiceUnavailableError
                    : sdk.InvalidRequestError;
    for (const code of Object.keys(protocol.ErrorCodes) as protocol.ErrorCode[]) {
      const wire = new protocol.SiqError(code, `about ${code}`).toWire();
      const e = errorFromResponse(wire.statusCode, wire);
      expect(e, code).toBeInstanceOf(
        code === "IDEMPOTENCY_KEY_REUSED" ? sdk.IdempotencyConflictError : classFor(wire.statusCode),
      );
      expect(e.code).toBe(code);
      expect(e.status).toBe(wire.statusCode);
      expect(e.details).toEqual(wire.error_details);
    }
  });

  it("hashes code exactly as the registry checks it: SHA-256 of the normalised source", () => {
    const { hash, normalised } = sdk.hashFunctionSource("async (x) => x * 2");
    expect(protocol.sha256Hex(normalised)).toBe(hash);
    expect(protocol.AuditSubmission.safeParse({ code_hash: hash, name: "double", source: normalised }).success).toBe(
      true,
    );
  });
});
