/**
 * The `expr:` escape hatch: a CEL expression (`@marcbachmann/cel-js`) over the
 * same facts as the structured conditions, parsed once. A runtime error (a
 * missing key, a type mismatch) makes the condition false, never the verdict.
 */
import { Environment } from "@marcbachmann/cel-js";
import type { Facts, Predicate } from "./condition.ts";
import type { RuleError } from "./errors.ts";

const env = new Environment({ unlistedVariablesAreDyn: true, limits: { maxAstNodes: 500, maxDepth: 32 } });

export function compileExpr(source: string, fail: (message: string) => RuleError): Predicate {
  let program: (ctx: Facts) => unknown;
  try {
    program = env.parse(source);
  } catch (e) {
    throw fail(`invalid CEL expression: ${(e as Error).message.split("\n")[0]}`);
  }
  return (facts) => {
    try {
      return program(facts) === true;
    } catch {
      return false;
    }
  };
}
