/**
 * The one error shape on the wire (`SiqError.toWire()`), as a schema: the
 * OpenAPI document declares it for every error a route may answer with, and
 * tests check real answers against it.
 */
import { z } from "zod";
import { ErrorCodes, type ErrorCode } from "../errors.ts";

export const ErrorCodeNames = Object.keys(ErrorCodes) as [ErrorCode, ...ErrorCode[]];

export const WireIssue = z.object({ path: z.string(), message: z.string() }).strict();

/** The error shape, narrowed to `codes` (all of them by default) and, when given, one status. */
export function wireErrorSchema(codes: readonly ErrorCode[] = ErrorCodeNames, status?: number) {
  const code = z.enum(codes as [ErrorCode, ...ErrorCode[]]);
  return z
    .object({
      statusCode: status === undefined ? z.number().int().min(400).max(599) : z.literal(status),
      error: z.string(),
      code,
      message: z.string(),
      error_details: z.object({ code, message: z.string(), issues: z.array(WireIssue).optional() }).strict(),
    })
    .strict();
}

export const WireErrorSchema = wireErrorSchema();
