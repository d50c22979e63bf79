/**
 * Text and JSON values from outside, made safe to sign, hash and store. A
 * string cut in the middle of a surrogate pair, a U+0000, a number JSON.parse
 * turned into Infinity (`1e400`) or a value nested without end has no
 * canonical JSON form (RFC 8785) or no PostgreSQL `jsonb` form: every one of
 * them is refused at the edge, and text is only ever cut between code points.
 */
const SURROGATE = /[\uD800-\uDFFF]/;

/** True when `s` holds a surrogate that is not half of a pair (not well-formed UTF-16). */
export function hasLoneSurrogate(s: string): boolean {
  if (!SURROGATE.test(s)) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/**
 * The longest prefix of `s` at most `maxUnits` UTF-16 code units long that
 * does not split a surrogate pair: a code point is kept whole or dropped.
 */
export function cutText(s: string, maxUnits: number): string {
  if (s.length <= maxUnits) return s;
  const end = Math.max(0, maxUnits);
  const last = s.charCodeAt(end - 1);
  // The cut would keep the high half of a pair and drop its low half: drop both.
  return last >= 0xd800 && last <= 0xdbff ? s.slice(0, end - 1) : s.slice(0, end);
}

/**
 * How a rule's input is shown in a verdict's evidence (`reasons[].inputs`): text cut to 200 UTF-16 units, a list
 * as its first 8 items joined by commas, cut the same way. Validators write it and the coordinator recomputes it
 * from the payment, so both sides must cut alike, and never inside a code point (the verdict is signed as JCS).
 */
export function shownInput(v: string | readonly unknown[]): string {
  return cutText(typeof v === "string" ? v : v.slice(0, 8).join(","), 200);
}

/** Text every store and signature can carry: well-formed UTF-16 and no U+0000. */
export function isSafeText(s: string): boolean {
  return !s.includes("\u0000") && !hasLoneSurrogate(s);
}

/** How deep a JSON value from outside may nest (an object or array inside another counts one more). */
export const MAX_JSON_DEPTH = 32;

export type JsonProblemCode = "LONE_SURROGATE" | "NUL_CHARACTER" | "NON_FINITE_NUMBER" | "NESTING_TOO_DEEP";

export interface JsonProblem {
  code: JsonProblemCode;
  /** Keys and indexes from the root to the value ([] for the root itself). */
  path: string[];
  message: string;
}

const MESSAGES: Record<JsonProblemCode, string> = {
  LONE_SURROGATE: "a string holds a lone surrogate (not well-formed Unicode)",
  NUL_CHARACTER: "a string holds U+0000",
  NON_FINITE_NUMBER: "a number is out of range (it has no finite value)",
  NESTING_TOO_DEEP: `values nest deeper than ${MAX_JSON_DEPTH} levels`,
};

/** The first value in `value` (a parsed JSON value) that has no safe form, or undefined. Never recurses past the bound. */
export function jsonProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined {
  const found = walk(value, 0, maxDepth);
  if (!found) return undefined;
  return { code: found.code, path: found.up.reverse(), message: MESSAGES[found.code] };
}

/** A problem with its path from the value up to the root (built only on failure). */
interface Found {
  code: JsonProblemCode;
  up: string[];
}

function textProblem(s: string): Found | undefined {
  if (s.includes("\u0000")) return { code: "NUL_CHARACTER", up: [] };
  return hasLoneSurrogate(s) ? { code: "LONE_SURROGATE", up: [] } : undefined;
}

function walk(v: unknown, depth: number, maxDepth: number): Found | undefined {
  if (typeof v === "string") return textProblem(v);
  if (typeof v === "number") return Number.isFinite(v) ? undefined : { code: "NON_FINITE_NUMBER", up: [] };
  if (v === null || typeof v !== "object") return undefined;
  if (depth >= maxDepth) return { code: "NESTING_TOO_DEEP", up: [] };
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const f = walk(v[i], depth + 1, maxDepth);
      if (f) {
        f.up.push(String(i));
        return f;
      }
    }
    return undefined;
  }
  for (const k of Object.keys(v)) {
    const f = textProblem(k) ?? walk((v as Record<string, unknown>)[k], depth + 1, maxDepth);
    if (f) {
      f.up.push(k);
      return f;
    }
  }
  return undefined;
}
