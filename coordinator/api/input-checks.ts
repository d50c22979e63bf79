/**
 * Before any route's schema: every body and query string, on every route, is
 * refused with a typed 400 when it holds a value nothing downstream can carry
 * (a lone surrogate or U+0000 in any key or string, a number with no finite
 * value such as `1e400`, nesting deeper than MAX_JSON_DEPTH). One check here,
 * so a route added later is covered without thinking about it.
 */
import type { FastifyInstance } from "fastify";
import { jsonProblem, SiqError, type ErrorCode, type JsonProblemCode } from "../../protocol/index.ts";

/** The codes these checks answer with (all 400). */
export const INPUT_CHECK_CODES = [
  "LONE_SURROGATE",
  "NUL_CHARACTER",
  "NON_FINITE_NUMBER",
  "NESTING_TOO_DEEP",
] as const satisfies readonly (JsonProblemCode & ErrorCode)[];

export function installInputChecks(app: FastifyInstance): void {
  app.addHook("preValidation", (req) => {
    const e = inputProblem("body", req.body) ?? inputProblem("query", req.query);
    return e ? Promise.reject(e) : Promise.resolve();
  });
}

function inputProblem(where: string, value: unknown): SiqError | undefined {
  const p = jsonProblem(value);
  if (!p) return undefined;
  const path = p.path.length > 0 ? p.path.join(".") : where;
  return new SiqError(p.code, `${path}: ${p.message}`, { issues: [{ path, message: p.message }] });
}
