import { describe, expect, it } from "vitest";
import { buildTraceContext } from "./trace.ts";
import { cutText } from "./text.ts";

describe("cutText", () => {
  it("keeps a code point whole or drops it: a clipped purpose is never refused as a lone surrogate", () => {
    const s = "a".repeat(1998) + "😀" + "b".repeat(10);
    expect(cutText(s, 1999)).toBe("a".repeat(1998));
    expect(cutText(s, 2000)).toBe("a".repeat(1998) + "😀");
    const purpose = buildTraceContext({ purpose: s, steps: [], path: [] }).purpose!;
    expect(purpose).toBe("a".repeat(1998) + "…");
    expect(purpose).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
