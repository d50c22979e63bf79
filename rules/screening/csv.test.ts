import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv.ts";

describe("CSV", () => {
  it("reads quoted fields with commas, doubled quotes and newlines, and skips blank lines", () => {
    const text = '36,"AEROCARIBBEAN AIRLINES",-0- \r\n306,"BANCO ""NACIONAL"", CUBA","a\nb"\n\n7,x,\n';
    expect(parseCsv(text)).toEqual([
      ["36", "AEROCARIBBEAN AIRLINES", "-0- "],
      ["306", 'BANCO "NACIONAL", CUBA', "a\nb"],
      ["7", "x", ""],
    ]);
  });

  it("reads a last line without a newline", () => {
    expect(parseCsv("a,b\nc,d")).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
  });
});
