import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jaro, jaroWinkler } from "./jaro-winkler.ts";

describe("Jaro-Winkler", () => {
  it.each([
    ["MARTHA", "MARHTA", 0.9611],
    ["DWAYNE", "DUANE", 0.84],
    ["DIXON", "DICKSONX", 0.8133],
    ["JELLYFISH", "SMELLYFISH", 0.8963],
  ])("%s / %s = %d (Winkler's published values)", (a, b, want) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(want, 3);
  });

  it("is 1 for equal strings and 0 for nothing in common", () => {
    expect(jaroWinkler("CUBA", "CUBA")).toBe(1);
    expect(jaroWinkler("ABC", "XYZ")).toBe(0);
    expect(jaroWinkler("", "X")).toBe(0);
  });

  it("is symmetric and within [0, 1], long strings included", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (a, b) => {
        const x = jaro(a, b);
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(1);
        expect(x).toBeCloseTo(jaro(b, a), 10);
      }),
    );
  });
});
