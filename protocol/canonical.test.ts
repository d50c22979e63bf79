import { describe, expect, it } from "vitest";
import { canonicalString, isCanonical } from "./canonical.ts";

describe("RFC 8785 canonical JSON", () => {
  it("sorts keys by UTF-16 code units, recursively", () => {
    expect(canonicalString({ b: 1, a: { d: 2, c: 3 }, "€": 0, A: 1 })).toBe('{"A":1,"a":{"c":3,"d":2},"b":1,"€":0}');
  });

  it("formats numbers as ECMAScript does (RFC 8785 §3.2.2.3 examples)", () => {
    expect(canonicalString([1e21, 1e-7, 0.000001, -0, Number("333333333.33333329"), 4.5])).toBe(
      "[1e+21,1e-7,0.000001,0,333333333.3333333,4.5]",
    );
  });

  it("escapes only what JSON requires", () => {
    expect(canonicalString({ s: '\u20ac\n"\\\u0001/' })).toBe('{"s":"€\\n\\"\\\\\\u0001/"}');
  });

  it("recognises canonical bytes and refuses re-ordered or spaced ones", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(isCanonical(enc('{"a":1,"b":[true,null]}'))).toBe(true);
    expect(isCanonical(enc('{"b":[true,null],"a":1}'))).toBe(false);
    expect(isCanonical(enc('{"a": 1}'))).toBe(false);
    expect(isCanonical(enc("not json"))).toBe(false);
  });
});
