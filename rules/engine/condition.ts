/**
 * Conditions compile into closures: field paths are split, lists become Sets,
 * regexes and CEL programs are built and parameters resolved once, so
 * evaluating a payment interprets nothing.
 */
import type { Facts } from "../../protocol/index.ts";
import type { Locator } from "./errors.ts";
import { compileExpr } from "./cel.ts";
import type { Condition, Leaf } from "./schema.ts";

export type { Facts };
export type Predicate = (facts: Facts) => boolean;
type Scalar = string | number | boolean;

/** Lists the node keeps up to date at run time (the audited-code registry, for example). */
export interface LiveLists {
  get(name: string): ReadonlySet<unknown> | undefined;
}

/** Fuzzy screening lists (OFAC names, aliases, addresses) the node loads. */
export interface Screener {
  /** The best similarity in [0, 1] between `text` and any listed name; 0 when none reaches `min`. */
  best(text: string, min?: number): number;
}
export interface Screeners {
  get(list: string): Screener | undefined;
}

export interface CompileContext {
  lists: Record<string, Scalar[]>;
  params: Record<string, Scalar>;
  live: LiveLists;
  screeners: Screeners;
  velocities: ReadonlySet<string>;
  /** Where the condition was written, for errors. */
  at: Locator;
}

export function compileCondition(c: Condition, ctx: CompileContext, path: (string | number)[] = []): Predicate {
  if ("all" in c) {
    const parts = c.all.map((x, i) => compileCondition(x, ctx, [...path, "all", i]));
    if (parts.length === 2) {
      const [a, b] = parts as [Predicate, Predicate];
      return (f) => a(f) && b(f);
    }
    return (f) => {
      for (const p of parts) if (!p(f)) return false;
      return true;
    };
  }
  if ("any" in c) {
    const parts = c.any.map((x, i) => compileCondition(x, ctx, [...path, "any", i]));
    return (f) => {
      for (const p of parts) if (p(f)) return true;
      return false;
    };
  }
  if ("not" in c) {
    const inner = compileCondition(c.not, ctx, [...path, "not"]);
    return (f) => !inner(f);
  }
  if ("expr" in c) return compileExpr(c.expr, (msg) => ctx.at([...path, "expr"], msg));
  return compileLeaf(c, ctx, path);
}

interface Membership {
  has(x: unknown): boolean;
  values(): Iterable<unknown>;
}

/** What every operator needs: the field's value, parameters and lists resolved, errors placed. */
interface LeafTools {
  get: (f: Facts) => unknown;
  num: (f: Facts) => number;
  param: (op: string, v: number | string) => number;
  set: (op: string, ref: unknown) => Membership;
  fail: (op: string, msg: string) => Error;
}

function compileLeaf(leaf: Leaf, ctx: CompileContext, path: (string | number)[]): Predicate {
  const fail = (op: string, msg: string) => ctx.at([...path, op], msg);
  if (leaf.field.startsWith("velocity.") && !ctx.velocities.has(leaf.field.slice(9))) {
    throw fail("field", `unknown velocity "${leaf.field.slice(9)}" (define it under velocity:)`);
  }
  const get = accessor(leaf.field);
  const tools: LeafTools = {
    get,
    num: (f) => toNumber(get(f)),
    param: (op, v) => {
      if (typeof v === "number") return v;
      const value = ctx.params[v.slice(1)];
      if (typeof value !== "number")
        throw fail(op, value === undefined ? `unknown parameter ${v}` : `parameter ${v} is not a number`);
      return value;
    },
    set: (op, ref) => membership(ctx, ref, (msg) => fail(op, msg)),
    fail,
  };
  const predicate = compareLeaf(leaf, tools) ?? memberLeaf(leaf, tools) ?? textLeaf(leaf, tools, ctx.screeners);
  if (!predicate) throw fail("field", `condition on ${leaf.field} has no operator`);
  return predicate;
}

/** An inline list, or a named one (the pack's own, plus what the node keeps live under that name). */
function membership(ctx: CompileContext, ref: unknown, fail: (msg: string) => Error): Membership {
  if (typeof ref !== "string") return new Set(ref as unknown[]);
  const name = ref.slice(1);
  const ownList = ctx.lists[name];
  if (!ownList && !ctx.live.get(name)) throw fail(`unknown list ${ref}`);
  const own = new Set<unknown>(ownList ?? []);
  const live = ctx.live;
  return {
    has: (x) => own.has(x) || live.get(name)?.has(x) === true,
    values: () => [...own, ...(live.get(name) ?? [])],
  };
}

/** eq, ne, gt, gte, lt, lte, between. */
function compareLeaf(leaf: Leaf, { get, num, param, fail }: LeafTools): Predicate | undefined {
  if (leaf.eq !== undefined) {
    const want = leaf.eq;
    return (f) => get(f) === want;
  }
  if (leaf.ne !== undefined) {
    const want = leaf.ne;
    return (f) => get(f) !== want;
  }
  if (leaf.gt !== undefined) {
    const x = param("gt", leaf.gt);
    return (f) => num(f) > x;
  }
  if (leaf.gte !== undefined) {
    const x = param("gte", leaf.gte);
    return (f) => num(f) >= x;
  }
  if (leaf.lt !== undefined) {
    const x = param("lt", leaf.lt);
    return (f) => num(f) < x;
  }
  if (leaf.lte !== undefined) {
    const x = param("lte", leaf.lte);
    return (f) => num(f) <= x;
  }
  if (leaf.between !== undefined) {
    const lo = param("between", leaf.between[0]);
    const hi = param("between", leaf.between[1]);
    if (lo > hi) throw fail("between", `between [${lo}, ${hi}] is empty`);
    return (f) => {
      const n = num(f);
      return n >= lo && n <= hi;
    };
  }
  return undefined;
}

/** in, not_in, any_not_in, contains_any. */
function memberLeaf(leaf: Leaf, { get, set }: LeafTools): Predicate | undefined {
  if (leaf.in !== undefined) {
    const s = set("in", leaf.in);
    return (f) => s.has(get(f));
  }
  if (leaf.not_in !== undefined) {
    const s = set("not_in", leaf.not_in);
    return (f) => {
      const v = get(f);
      return v !== undefined && !s.has(v);
    };
  }
  if (leaf.any_not_in !== undefined) {
    const s = set("any_not_in", leaf.any_not_in);
    return (f) => {
      const v = get(f);
      return Array.isArray(v) && v.some((x) => !s.has(x));
    };
  }
  if (leaf.contains_any !== undefined) return containsAny(get, set("contains_any", leaf.contains_any));
  return undefined;
}

/** regex, exists, screen. */
function textLeaf(leaf: Leaf, { get, fail }: LeafTools, screeners: Screeners): Predicate | undefined {
  if (leaf.regex !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(leaf.regex, "u");
    } catch (e) {
      throw fail("regex", `invalid regex: ${(e as Error).message}`);
    }
    return (f) => {
      const v = get(f);
      return typeof v === "string" && re.test(v);
    };
  }
  if (leaf.exists !== undefined) {
    const want = leaf.exists;
    return (f) => {
      const v = get(f);
      return (v !== undefined && v !== null && v !== "") === want;
    };
  }
  if (leaf.screen !== undefined) {
    const { list, threshold } = leaf.screen;
    return (f) => {
      const v = get(f);
      if (v === undefined || v === null || v === "") return false;
      const screener = screeners.get(list);
      if (!screener) return false;
      if (typeof v === "string") return screener.best(v, threshold) >= threshold;
      return Array.isArray(v) && v.some((x) => typeof x === "string" && screener.best(x, threshold) >= threshold);
    };
  }
  return undefined;
}

/** Arrays: any element in the list. Strings: contains any listed phrase, case-insensitively. */
function containsAny(get: (f: Facts) => unknown, s: Membership): Predicate {
  let phrases: string[] | undefined;
  return (f) => {
    const v = get(f);
    if (Array.isArray(v)) return v.some((x) => s.has(x));
    if (typeof v !== "string") return false;
    phrases ??= [...s.values()].filter((x): x is string => typeof x === "string").map((x) => x.toLowerCase());
    const text = v.toLowerCase();
    for (const p of phrases) if (text.includes(p)) return true;
    return false;
  };
}

export function accessor(path: string): (f: Facts) => unknown {
  const parts = path.split(".");
  if (parts.length === 1) {
    const [a] = parts as [string];
    return (f) => f[a];
  }
  if (parts.length === 2) {
    const [a, b] = parts as [string, string];
    return (f) => {
      const o = f[a];
      return o !== null && typeof o === "object" ? (o as Record<string, unknown>)[b] : undefined;
    };
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
  if (typeof v === "boolean") return v ? 1 : 0;
  return Number.NaN;
}
