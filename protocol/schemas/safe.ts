/**
 * Zod refinements for data from outside (HTTP bodies, bus messages): text and
 * JSON that can be signed, hashed and stored (see ../text.ts). The HTTP edge
 * checks every body once before any schema; these keep the bus side safe too,
 * where a validator or the coordinator parses what another party published.
 */
import { z } from "zod";
import { isSafeText, jsonProblem, MAX_JSON_DEPTH } from "../text.ts";

const UNSAFE_TEXT = "must be well-formed Unicode without U+0000";

/** A string of at most `max` UTF-16 units, well-formed and without U+0000. */
export function safeText(max: number): z.ZodString {
  return z.string().max(max).refine(isSafeText, UNSAFE_TEXT);
}

/**
 * `schema`, also refusing any string (key or value) with a lone surrogate or
 * U+0000, any number with no finite value and nesting deeper than `maxDepth`
 * counted from this value. The issue's `params.code` is the error code.
 */
export function safeJson<T extends z.ZodType>(schema: T, maxDepth = MAX_JSON_DEPTH): T {
  return schema.superRefine((value, ctx) => {
    const p = jsonProblem(value, maxDepth);
    if (p) ctx.addIssue({ code: "custom", message: p.message, path: p.path, params: { code: p.code } });
  });
}
