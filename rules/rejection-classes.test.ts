/** Every reason code the shipped pack can give has a rejection class (protocol/rejections.ts), so none is generic by accident. */
import { describe, expect, it } from "vitest";
import { ClassifiedReasonCodes, rejectionClass } from "../protocol/index.ts";
import { DEFAULT_PACK_DIR, loadPackDir } from "./index.ts";

describe("rejection classes of the default pack", () => {
  const pack = loadPackDir(DEFAULT_PACK_DIR);
  const codes = [...pack.rules, ...pack.orgs.flatMap((o) => o.rules)].map((rule) => rule.reason.code);

  it("gives every reason code of the default pack (organisations' rules too) a class", () => {
    expect(codes.length).toBeGreaterThan(25);
    expect(codes.filter((c) => !ClassifiedReasonCodes.has(c))).toEqual([]);
  });

  it("classifies no code the pack does not give (the table has no stale entries)", () => {
    expect([...ClassifiedReasonCodes].filter((c) => !codes.includes(c))).toEqual([]);
    expect(rejectionClass("SANCTIONED_COUNTRY")).toBe("SANCTIONS_BLOCKED");
  });
});
