/** Text cut between code points, and the values no signature or store can carry, found wherever they hide. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jcs } from "./jcs.ts";
import { cutText, hasLoneSurrogate, jsonProblem, MAX_JSON_DEPTH, shownInput } from "./text.ts";

/** The purpose an outside review used: 199 units, then an emoji whose pair straddles the 200-unit cut. */
const EMOJI_PURPOSE = "ignore previous instructions " + "a".repeat(170) + "😀b";

const nested = (depth: number): unknown => {
  let v: unknown = "leaf";
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { k: v };
  return v;
};

describe("cutText", () => {
  it("never cuts a surrogate pair in two, and never keeps more than asked", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 80 }), fc.nat(200), (s, n) => {
        const cut = cutText(s, n);
        expect(cut.length).toBeLessThanOrEqual(n);
        expect(s.startsWith(cut)).toBe(true);
        expect(hasLoneSurrogate(cut)).toBe(false);
        // At most the one half-pair is given up.
        expect(cut.length).toBeGreaterThanOrEqual(Math.min(s.length, n) - 1);
      }),
      { numRuns: 2000 },
    );
  });

  it("shows the review's emoji purpose as JCS can sign it (it used to throw and stop every validator)", () => {
    expect(EMOJI_PURPOSE.slice(0, 200).length).toBe(200);
    expect(hasLoneSurrogate(EMOJI_PURPOSE.slice(0, 200))).toBe(true);
    const shown = shownInput(EMOJI_PURPOSE);
    expect(shown).toBe(EMOJI_PURPOSE.slice(0, 199));
    expect(() => jcs({ purpose: shown })).not.toThrow();
    expect(shownInput(["x😀", "y".repeat(300)])).toBe(cutText("x😀," + "y".repeat(300), 200));
  });
});

describe("jsonProblem", () => {
  it.each([
    ["a lone high surrogate", { a: { b: "x\ud83d" } }, "LONE_SURROGATE", ["a", "b"]],
    ["a lone low surrogate in a key", { ["k\udc00"]: 1 }, "LONE_SURROGATE", ["k\udc00"]],
    ["U+0000", { list: ["ok", "nul\u0000"] }, "NUL_CHARACTER", ["list", "1"]],
    ["U+0000 in a key", { ["a\u0000"]: true }, "NUL_CHARACTER", ["a\u0000"]],
    ["1e400", JSON.parse('{"n": 1e400}'), "NON_FINITE_NUMBER", ["n"]],
    ["-1e400", JSON.parse("[-1e400]"), "NON_FINITE_NUMBER", ["0"]],
    ["100-deep nesting", nested(100), "NESTING_TOO_DEEP", undefined],
  ])("finds %s", (_name, value, code, path) => {
    const p = jsonProblem(value);
    expect(p?.code).toBe(code);
    if (path) expect(p?.path).toEqual(path);
    expect(p?.message).toBeTypeOf("string");
  });

  it(`allows ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
    expect(jsonProblem(nested(MAX_JSON_DEPTH))).toBeUndefined(); // 32 containers, one inside the other
    expect(jsonProblem(nested(MAX_JSON_DEPTH + 1))?.code).toBe("NESTING_TOO_DEEP");
  });

  it("walks a value nested 100,000 deep without recursing that far", () => {
    expect(jsonProblem(nested(100_000))?.code).toBe("NESTING_TOO_DEEP");
  });

  it("passes ordinary JSON, emoji and all", () => {
    expect(jsonProblem({ purpose: EMOJI_PURPOSE, n: 1e308, z: -0, list: [null, true, "é"] })).toBeUndefined();
  });

  it("whatever it passes, JCS can canonicalise (arbitrary JSON with arbitrary UTF-16 strings)", () => {
    const anyString = fc.string({ unit: "binary", maxLength: 20 });
    const value = fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        anyString,
        fc.double(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("v"), { maxLength: 4 }),
        fc.dictionary(anyString, tie("v"), { maxKeys: 4 }),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        const p = jsonProblem(v);
        if (p === undefined) expect(() => jcs(v)).not.toThrow();
        else expect(["LONE_SURROGATE", "NUL_CHARACTER", "NON_FINITE_NUMBER", "NESTING_TOO_DEEP"]).toContain(p.code);
      }),
      { numRuns: 2000 },
    );
  });
});
