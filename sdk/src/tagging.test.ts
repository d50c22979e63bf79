/** The call path follows awaits, stays apart between concurrent flows, and carries the reasoning steps. */
import { describe, expect, it } from "vitest";
import { SourceError } from "./normalise.ts";
import {
  currentPath,
  currentSteps,
  lineage,
  MAX_LINEAGE,
  paymentFunction,
  step,
  tagOf,
  taggedFunctions,
  type TaggedFunction,
} from "./tagging.ts";

const tick = () => new Promise((r) => setTimeout(r, 1));

describe("paymentFunction", () => {
  const inner = paymentFunction(async function inner(tag: string) {
    await tick();
    step(`inner ${tag}`);
    return { path: currentPath().map((t) => t.name), lineage: lineage(), steps: [...currentSteps()] };
  });
  const outer = paymentFunction(async function outer(tag: string) {
    step(`outer ${tag}`);
    await tick();
    return inner(tag);
  });

  it("puts every tagged function on the path, outermost first, across awaits", async () => {
    const r = await outer("a");
    expect(r.path).toEqual(["outer", "inner"]);
    const hashOf = (name: string) => taggedFunctions().find((t) => t.name === name)!.hash;
    expect(r.lineage).toEqual([hashOf("outer"), hashOf("inner")]);
    expect(r.steps).toEqual(["outer a", "inner a"]);
  });

  it("keeps concurrent flows apart", async () => {
    const [a, b, c] = await Promise.all([outer("a"), inner("b"), outer("c")]);
    expect(a.path).toEqual(["outer", "inner"]);
    expect(b.path).toEqual(["inner"]);
    expect(c.steps).toEqual(["outer c", "inner c"]);
    expect(b.steps).toEqual(["inner b"]);
  });

  it("leaves nothing on the path outside a tagged call", async () => {
    await outer("x");
    expect(currentPath()).toEqual([]);
    expect(lineage()).toEqual([]);
    step("ignored");
    expect(currentSteps()).toEqual([]);
  });

  it("passes this, arguments, return values and errors through, and keeps name and length", async () => {
    const obj = {
      factor: 3,
      times: paymentFunction(function times(this: { factor: number }, n: number) {
        return n * this.factor;
      }),
    };
    expect(obj.times(2)).toBe(6);
    expect(obj.times.name).toBe("times");
    expect(obj.times.length).toBe(1);
    // An async function that throws after an await: its rejection passes through the wrapper unchanged.
    const boom = paymentFunction(async () => {
      await Promise.resolve();
      throw new Error("boom");
    });
    await expect(boom()).rejects.toThrow("boom");
  });

  it("hashes different code differently and the same code the same", () => {
    const a = paymentFunction((x: number) => x + 1);
    const b = paymentFunction((x: number) => x + 2);
    const c = paymentFunction((x: number) => x + 1);
    const [ta, tb, tc] = taggedFunctions().slice(-3) as [TaggedFunction, TaggedFunction, TaggedFunction];
    expect(ta.hash).not.toBe(tb.hash);
    expect(ta.hash).toBe(tc.hash);
    expect(ta.hash).toMatch(/^[0-9a-f]{64}$/);
    expect([a(1), b(1), c(1)]).toEqual([2, 3, 2]);
    expect(tagOf(a)).toBe(ta);
    expect(tagOf(b)?.hash).toBe(tb.hash);
    expect(tagOf((x: number) => x)).toBeUndefined();
  });

  it("refuses a function without source", () => {
    expect(() => paymentFunction(Math.max)).toThrow(SourceError);
    expect(() => paymentFunction(42 as unknown as () => void)).toThrow(TypeError);
  });

  it("sends each hash once, and at most the innermost 64", () => {
    const fake = (i: number): TaggedFunction => ({
      name: `f${i}`,
      hash: i.toString(16).padStart(64, "0"),
      normalised: "",
    });
    const path = [fake(1), fake(2), fake(1), ...Array.from({ length: 80 }, (_, i) => fake(100 + i))];
    const l = lineage(path);
    expect(l).toHaveLength(MAX_LINEAGE);
    expect(l.at(-1)).toBe(fake(179).hash);
    expect(new Set(l).size).toBe(l.length);
  });
});
