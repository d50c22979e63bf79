/**
 * Which errors a route may answer with, by status. Most follow from its
 * definition: input makes a 400, a key makes a 401 (and a 403 for a key of a
 * role the route does not admit: every keyed route has one), a JSON body makes a 413 and a 415, and anything can fail
 * inside (500). The edge may refuse any request: an untrusted Host (421) or too many requests (429).
 * The rest are the route's own (`def.errors`).
 */
import { z } from "zod";
import { ErrorCodes, type ErrorCode, type RouteDef } from "../../protocol/index.ts";
import { FIELD_CODES } from "./errors.ts";
import { INPUT_CHECK_CODES } from "./input-checks.ts";

const keysOf = (s: z.ZodType | undefined): string[] => (s instanceof z.ZodObject ? Object.keys(s.shape) : []);

/** The codes a route's input can be refused with: INVALID_REQUEST, and the codes of the fields it takes. */
function inputCodes(def: RouteDef): ErrorCode[] {
  const fields = [...keysOf(def.params), ...keysOf(def.body), ...keysOf(def.query)];
  const codes: ErrorCode[] = [];
  if (fields.length > 0 || def.query || def.body) codes.push("INVALID_REQUEST");
  if (def.body) codes.push("INVALID_JSON");
  // Values no store or signature can carry, refused in any body or query (input-checks.ts).
  if (def.body || def.query) codes.push(...INPUT_CHECK_CODES);
  for (const f of fields) if (FIELD_CODES[f]) codes.push(FIELD_CODES[f]);
  return codes;
}

function authCodes(def: RouteDef): ErrorCode[] {
  if (def.auth === "none") return [];
  if (def.auth === "user") return ["UNAUTHENTICATED", "INVALID_TOKEN", "FORBIDDEN"];
  // Every keyed route refuses a known key of a role it does not admit ("any" admits agents and auditors only;
  // an approver's key is refused there too).
  return ["UNAUTHENTICATED", "FORBIDDEN"];
}

/** Every error code `def` may answer with, grouped by HTTP status, statuses ascending. */
export function routeErrors(def: RouteDef): Map<number, ErrorCode[]> {
  const codes: ErrorCode[] = [
    ...inputCodes(def),
    ...authCodes(def),
    ...(def.body ? (["PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"] as const) : []),
    ...(def.errors ?? []),
    "UNTRUSTED_HOST",
    "RATE_LIMITED",
    "INTERNAL",
  ];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ErrorCodes[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}
