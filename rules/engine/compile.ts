/**
 * Compiles a pack once into plain closures: field paths are split, lists are
 * turned into Sets and regexes built, so evaluating a payment interprets
 * nothing.
 */
import { levelRank, maxLevel, RiskLevels, type Reason, type RiskLevel } from "../../protocol/schemas/fields.ts";
import type { PackSource } from "./load.ts";
import type { Condition, Leaf, Rule } from "./schema.ts";

export type Facts = Record<string, unknown>;
type Predicate = (facts: Facts) => boolean;

export interface Evaluation {
  risk_level: RiskLevel;
  score: number;
  reasons: Reason[];
}

export interface CompiledPack {
  readonly name: string;
  readonly hash: string;
  evaluate(facts: Facts): Evaluation;
}

/**
 * Lists the node keeps up to date at run time (for example the audited-code
 * registry). A "$name" reference matches the pack's own list or the live one.
 */
export interface LiveLists {
  get(name: string): ReadonlySet<unknown> | undefined;
}

const NO_LIVE_LISTS: LiveLists = { get: () => undefined };

export function compilePack(src: PackSource, live: LiveLists = NO_LIVE_LISTS): CompiledPack {
  const compiled = src.rules.map((rule) => ({
    rule,
    test: compileCondition(rule.when, src.lists, rule.id, live),
    inputs: inputsOf(rule.when),
  }));
  const { MEDIUM, HIGH, CRITICAL } = src.bands;
  return Object.freeze({
    name: src.name,
    hash: src.hash,
    evaluate(facts: Facts): Evaluation {
      let score = 0;
      let level: RiskLevel = "LOW";
      const reasons: Reason[] = [];
      for (const { rule, test, inputs } of compiled) {
        if (!test(facts)) continue;
        reasons.push({ code: rule.reason.code, message: rule.reason.message, rule_id: rule.id, inputs: inputs(facts) });
        if (rule.then.score !== undefined) score += rule.then.score;
        if (rule.then.min_level !== undefined) level = maxLevel(level, rule.then.min_level);
        if (rule.then.block) level = "CRITICAL";
      }
      score = Math.max(0, Math.min(100, score));
      const banded: RiskLevel = score >= CRITICAL ? "CRITICAL" : score >= HIGH ? "HIGH" : score >= MEDIUM ? "MEDIUM" : "LOW";
      level = maxLevel(level, banded);
      // The score never contradicts the level: raise it to the level's band floor.
      const floor = [0, MEDIUM, HIGH, CRITICAL][levelRank(level)]!;
      return { risk_level: level, score: Math.min(100, Math.max(score, Math.ceil(floor))), reasons };
    },
  });
}

export function compileCondition(c: Condition, lists: PackSource["lists"], ruleId: string, live: LiveLists = NO_LIVE_LISTS): Predicate {
  if ("all" in c) {
    const parts = c.all.map((x) => compileCondition(x, lists, ruleId, live));
    return (f) => parts.every((p) => p(f));
  }
  if ("any" in c) {
    const parts = c.any.map((x) => compileCondition(x, lists, ruleId, live));
    return (f) => parts.some((p) => p(f));
  }
  if ("not" in c) {
    const inner = compileCondition(c.not, lists, ruleId, live);
    return (f) => !inner(f);
  }
  return compileLeaf(c, lists, ruleId, live);
}

interface Membership {
  has(x: unknown): boolean;
  values(): Iterable<unknown>;
}

function compileLeaf(leaf: Leaf, lists: PackSource["lists"], ruleId: string, live: LiveLists): Predicate {
  const get = accessor(leaf.field);
  const num = (f: Facts) => toNumber(get(f));
  const set = (ref: unknown): Membership => {
    if (typeof ref !== "string") return new Set(ref as unknown[]);
    const name = ref.slice(1);
    const own = new Set<unknown>(lists[name] ?? []);
    if (!lists[name] && !live.get(name)) throw new Error(`rule ${ruleId}: unknown list ${ref}`);
    return {
      has: (x) => own.has(x) || live.get(name)?.has(x) === true,
      values: () => [...own, ...(live.get(name) ?? [])],
    };
  };
  if (leaf.eq !== undefined) return (f) => get(f) === leaf.eq;
  if (leaf.ne !== undefined) return (f) => get(f) !== leaf.ne;
  if (leaf.gt !== undefined) return (f) => num(f) > leaf.gt!;
  if (leaf.gte !== undefined) return (f) => num(f) >= leaf.gte!;
  if (leaf.lt !== undefined) return (f) => num(f) < leaf.lt!;
  if (leaf.lte !== undefined) return (f) => num(f) <= leaf.lte!;
  if (leaf.between !== undefined) {
    const [lo, hi] = leaf.between;
    return (f) => {
      const n = num(f);
      return n >= lo && n <= hi;
    };
  }
  if (leaf.in !== undefined) {
    const s = set(leaf.in);
    return (f) => s.has(get(f));
  }
  if (leaf.not_in !== undefined) {
    const s = set(leaf.not_in);
    return (f) => {
      const v = get(f);
      return v !== undefined && !s.has(v);
    };
  }
  if (leaf.any_not_in !== undefined) {
    const s = set(leaf.any_not_in);
    return (f) => {
      const v = get(f);
      return Array.isArray(v) && v.some((x) => !s.has(x));
    };
  }
  if (leaf.contains_any !== undefined) {
    const s = set(leaf.contains_any);
    return (f) => {
      const v = get(f);
      if (Array.isArray(v)) return v.some((x) => s.has(x));
      if (typeof v === "string") return [...s.values()].some((x) => typeof x === "string" && v.toLowerCase().includes(x.toLowerCase()));
      return false;
    };
  }
  if (leaf.regex !== undefined) {
    const re = new RegExp(leaf.regex, "u");
    return (f) => {
      const v = get(f);
      return typeof v === "string" && re.test(v);
    };
  }
  if (leaf.exists !== undefined) {
    const want = leaf.exists;
    return (f) => (get(f) !== undefined && get(f) !== null) === want;
  }
  throw new Error(`rule ${ruleId}: condition on ${leaf.field} has no operator`);
}

/** The evidence of a hit: the value of every scalar field the rule's condition reads. */
function inputsOf(c: Condition): (f: Facts) => Record<string, string | number | boolean | null> {
  const fields: string[] = [];
  const walk = (x: Condition) => {
    if ("all" in x) x.all.forEach(walk);
    else if ("any" in x) x.any.forEach(walk);
    else if ("not" in x) walk(x.not);
    else if (!fields.includes(x.field)) fields.push(x.field);
  };
  walk(c);
  const getters = fields.map((f) => [f, accessor(f)] as const);
  return (facts) => {
    const out: Record<string, string | number | boolean | null> = {};
    for (const [field, get] of getters) {
      const v = get(facts);
      if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") out[field] = typeof v === "string" ? v.slice(0, 200) : v;
      else if (Array.isArray(v)) out[field] = v.slice(0, 8).join(",").slice(0, 200);
    }
    return out;
  };
}

function accessor(path: string): (f: Facts) => unknown {
  const parts = path.split(".");
  if (parts.length === 1) {
    const [a] = parts as [string];
    return (f) => f[a];
  }
  return (f) => {
    let v: unknown = f;
    for (const p of parts) {
      if (v === null || typeof v !== "object") return undefined;
      v = (v as Record<string, unknown>)[p];
    }
    return v;
  };
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v !== "") return Number(v);
  return Number.NaN;
}

export { RiskLevels };
