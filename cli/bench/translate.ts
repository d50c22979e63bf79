/**
 * The same rules, for the baselines: each payment rule of a pack translated
 * into a json-rules-engine rule and into a ZEN (GoRules) expression, with the
 * pack's parameters and lists resolved. The bench checks that all three
 * engines fire the same rules on every input before it times them.
 */
import type { PackSource, Condition, Leaf, Rule } from "../../rules/index.ts";

type Scalar = string | number | boolean;
export type JreCondition = Record<string, unknown>;

interface Resolved {
  params: Record<string, Scalar>;
  lists: Record<string, Scalar[]>;
}

/** The rules a baseline can run: payment rules without sanctions screening (a service, not a rule). */
export function benchRules(src: PackSource): Rule[] {
  return src.rules.filter((r) => r.on !== "event" && !JSON.stringify(r.when).includes('"screen"'));
}

const num = (v: number | string, r: Resolved): number => (typeof v === "number" ? v : (r.params[v.slice(1)] as number));
const list = (v: Scalar[] | string, r: Resolved): Scalar[] => (typeof v === "string" ? r.lists[v.slice(1)]! : v);
const leafOp = (l: Leaf) => Object.keys(l).find((k) => k !== "field")!;

/** `sender == receiver`: the one shape of CEL the translators accept. */
function celCompare(expr: string): { left: string; op: "==" | "!="; right: string } {
  const m = /^\s*([a-z_][a-z0-9_.]*)\s*(==|!=)\s*([a-z_][a-z0-9_.]*)\s*$/i.exec(expr);
  if (!m) throw new Error(`CEL expression not translatable for the baselines: ${expr}`);
  return { left: m[1]!, op: m[2] as "==" | "!=", right: m[3]! };
}

function jreFact(path: string): { fact: string; path?: string } {
  const [head, ...rest] = path.split(".");
  return rest.length ? { fact: head!, path: `$.${rest.join(".")}` } : { fact: head! };
}

export function toJre(c: Condition, r: Resolved): JreCondition {
  if ("all" in c) return { all: c.all.map((x) => toJre(x, r)) };
  if ("any" in c) return { any: c.any.map((x) => toJre(x, r)) };
  if ("not" in c) return { not: toJre(c.not, r) };
  if ("expr" in c) {
    const e = celCompare(c.expr);
    return { ...jreFact(e.left), operator: e.op === "==" ? "equal" : "notEqual", value: jreFact(e.right) };
  }
  const f = jreFact(c.field);
  const op = leafOp(c);
  const v = (c as Record<string, unknown>)[op];
  switch (op) {
    case "eq":
      return { ...f, operator: "equal", value: v };
    case "ne":
      return { ...f, operator: "notEqual", value: v };
    case "gt":
      return { ...f, operator: "greaterThan", value: num(v as number, r) };
    case "gte":
      return { ...f, operator: "greaterThanInclusive", value: num(v as number, r) };
    case "lt":
      return { ...f, operator: "lessThan", value: num(v as number, r) };
    case "lte":
      return { ...f, operator: "lessThanInclusive", value: num(v as number, r) };
    case "between": {
      const [lo, hi] = v as [number, number];
      return {
        all: [
          { ...f, operator: "greaterThanInclusive", value: num(lo, r) },
          { ...f, operator: "lessThanInclusive", value: num(hi, r) },
        ],
      };
    }
    case "in":
      return { ...f, operator: "in", value: list(v as Scalar[], r) };
    case "not_in":
      return { ...f, operator: "definedNotIn", value: list(v as Scalar[], r) };
    case "any_not_in":
      return { ...f, operator: "anyNotIn", value: list(v as Scalar[], r) };
    case "contains_any":
      return { ...f, operator: "containsAny", value: list(v as Scalar[], r).map((x) => String(x).toLowerCase()) };
    case "regex":
      return { ...f, operator: "matchesRegex", value: v };
    case "exists":
      return { ...f, operator: "present", value: v };
    default:
      throw new Error(`operator ${op} has no json-rules-engine translation`);
  }
}

/** Operators json-rules-engine lacks, added to its engine with the same meaning as ours. */
export const JRE_OPERATORS: Record<string, (fact: unknown, value: unknown) => boolean> = {
  definedNotIn: (f, v) => f !== undefined && !(v as unknown[]).includes(f),
  anyNotIn: (f, v) => Array.isArray(f) && f.some((x) => !(v as unknown[]).includes(x)),
  containsAny: (f, v) =>
    Array.isArray(f)
      ? f.some((x) => (v as unknown[]).includes(x))
      : typeof f === "string" && (v as string[]).some((p) => f.toLowerCase().includes(p)),
  matchesRegex: (f, v) => typeof f === "string" && new RegExp(v as string, "u").test(f),
  present: (f, v) => (f !== undefined && f !== null && f !== "") === v,
};

const zenLit = (v: Scalar): string => (typeof v === "string" ? JSON.stringify(v) : String(v));
const zenList = (vs: Scalar[]): string => `[${vs.map(zenLit).join(", ")}]`;

export function toZen(c: Condition, r: Resolved): string {
  if ("all" in c) return `(${c.all.map((x) => toZen(x, r)).join(" and ")})`;
  if ("any" in c) return `(${c.any.map((x) => toZen(x, r)).join(" or ")})`;
  if ("not" in c) return `not(${toZen(c.not, r)})`;
  if ("expr" in c) {
    const e = celCompare(c.expr);
    return `(${e.left} ${e.op} ${e.right})`;
  }
  const f = c.field;
  const op = leafOp(c);
  const v = (c as Record<string, unknown>)[op];
  const guarded = (e: string) => `(${f} != null and ${e})`;
  switch (op) {
    case "eq":
      return `(${f} == ${zenLit(v as Scalar)})`;
    case "ne":
      return `(${f} != ${zenLit(v as Scalar)})`;
    case "gt":
      return guarded(`${f} > ${num(v as number, r)}`);
    case "gte":
      return guarded(`${f} >= ${num(v as number, r)}`);
    case "lt":
      return guarded(`${f} < ${num(v as number, r)}`);
    case "lte":
      return guarded(`${f} <= ${num(v as number, r)}`);
    case "between": {
      const [lo, hi] = v as [number, number];
      return guarded(`${f} >= ${num(lo, r)} and ${f} <= ${num(hi, r)}`);
    }
    case "in":
      return `(${f} in ${zenList(list(v as Scalar[], r))})`;
    case "not_in":
      return guarded(`not(${f} in ${zenList(list(v as Scalar[], r))})`);
    case "any_not_in":
      return guarded(`some(${f}, not(# in ${zenList(list(v as Scalar[], r))}))`);
    case "contains_any":
      return guarded(
        `some(${zenList(list(v as Scalar[], r).map((x) => String(x).toLowerCase()))}, contains(lower(${f}), #))`,
      );
    case "regex":
      return guarded(`matches(${f}, ${JSON.stringify(v)})`);
    case "exists":
      return v ? `(${f} != null and ${f} != "")` : `(${f} == null or ${f} == "")`;
    default:
      throw new Error(`operator ${op} has no ZEN translation`);
  }
}

/** A JDM graph: input → one expression node computing `r_<rule id>` for every rule → output. */
export function zenDecision(rules: Rule[], r: Resolved): object {
  const ids = { input: "in", expr: "rules", output: "out" };
  return {
    contentType: "application/vnd.gorules.decision",
    nodes: [
      { id: ids.input, type: "inputNode", name: "Request", position: { x: 0, y: 0 } },
      {
        id: ids.expr,
        type: "expressionNode",
        name: "Rules",
        position: { x: 200, y: 0 },
        content: {
          expressions: rules.map((rule) => ({ id: rule.id, key: `r_${rule.id}`, value: toZen(rule.when, r) })),
        },
      },
      { id: ids.output, type: "outputNode", name: "Response", position: { x: 400, y: 0 } },
    ],
    edges: [
      { id: "e1", sourceId: ids.input, targetId: ids.expr, type: "edge" },
      { id: "e2", sourceId: ids.expr, targetId: ids.output, type: "edge" },
    ],
  };
}
