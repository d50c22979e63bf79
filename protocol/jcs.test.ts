/** Compliance: our JCS and the `canonicalize` package (by an RFC 8785 author) agree on arbitrary JSON. */
import canonicalize from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jcs } from "./jcs.ts";

describe("jcs", () => {
  it("equals canonicalize on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(jcs(v)).toBe(canonicalize(v));
      }),
      { numRuns: 2000 },
    );
  });

  it("equals canonicalize on arbitrary strings and numbers, surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        let ours: string | Error, theirs: string | Error;
        try {
          ours = jcs({ s });
        } catch (e) {
          ours = e as Error;
        }
        try {
          theirs = canonicalize({ s })!;
        } catch (e) {
          theirs = e as Error;
        }
        expect(typeof ours === "string" ? ours : "error").toBe(typeof theirs === "string" ? theirs : "error");
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(jcs([n])).toBe(canonicalize([n]));
      }),
    );
  });

  it("refuses what has no canonical form", () => {
    expect(() => jcs(Number.NaN)).toThrow();
    expect(() => jcs("\uD800")).toThrow();
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => jcs(loop)).toThrow(/circular/);
  });
});
