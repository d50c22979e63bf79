import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_PACK_DIR, loadPackDir } from "./index.ts";
import { rejectionClass, RejectionClasses, rejectionDetails, WireCodes } from "../protocol/index.ts";

const r = (code: string, validators: number) => ({ code, validators });

describe("rejection classes", () => {
  it("gives every reason code of the default pack (organisations' rules too) a class of its own", () => {
    const pack = loadPackDir(DEFAULT_PACK_DIR);
    const codes = [...pack.rules, ...pack.orgs.flatMap((o) => o.rules)].map((rule) => rule.reason.code);
    expect(codes.length).toBeGreaterThan(25);
    const mapped = new Set<string>(Object.values(RejectionClasses).flatMap((c) => [...c.codes]));
    expect(codes.filter((c) => !mapped.has(c))).toEqual([]);
  });

  it("maps each code to exactly one class, and every class is a catalogued, documented code", () => {
    const all = Object.values(RejectionClasses).flatMap((c) => [...c.codes]);
    expect(new Set(all).size).toBe(all.length);
    const doc = readFileSync(new URL("../docs/ERRORS.md", import.meta.url), "utf8");
    for (const [cls, { codes }] of Object.entries(RejectionClasses)) {
      expect(WireCodes).toHaveProperty(cls);
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${cls}\` |`));
      for (const code of codes) expect(row).toContain(`\`${code}\``);
    }
  });

  it("maps reason codes to their class", () => {
    expect(rejectionClass("SANCTIONED_COUNTRY")).toBe("SANCTIONS_BLOCKED");
    expect(rejectionClass("REVOKED_CODE_PATH")).toBe("AUDIT_MISMATCH");
    expect(rejectionClass("PROMPT_INJECTION")).toBe("TRUST_BREACH");
    expect(rejectionClass("STRUCTURING")).toBe("AML_PATTERN");
    expect(rejectionClass("PURPOSE_AMOUNT_MISMATCH")).toBe("VALIDATION_FAILURE");
    expect(rejectionClass("UNUSUAL_HOUR")).toBe("RISK_REJECTED");
  });

  it("maps unknown codes, and names that exist on every object, to the generic class", () => {
    // QUORUM_TIMEOUT and the class names are not reason codes a validator may give.
    const odd = ["ANOTHER_PACKS_RULE", "QUORUM_TIMEOUT", "TRUST_BREACH", "toString", "constructor", "__proto__", ""];
    for (const code of odd) expect(rejectionClass(code)).toBe("RISK_REJECTED");
  });

  it("builds error_details from the decisive reasons (a KP payment)", () => {
    expect(rejectionDetails([r("SANCTIONED_COUNTRY", 4), r("NO_CODE_LINEAGE", 4)])).toEqual({
      code: "SANCTIONS_BLOCKED",
      message: "rejected: a party, place or address of the payment is sanctioned (SANCTIONED_COUNTRY)",
      reasons: ["SANCTIONED_COUNTRY"],
    });
  });

  it("lists every decisive code of the class, once", () => {
    const d = rejectionDetails([r("SANCTIONED_ENTITY", 3), r("SANCTIONED_COUNTRY", 3), r("SANCTIONED_ENTITY", 3)]);
    expect(d).toMatchObject({ code: "SANCTIONS_BLOCKED", reasons: ["SANCTIONED_ENTITY", "SANCTIONED_COUNTRY"] });
  });

  it("says the quorum failed when the payment failed closed, whatever the reasons", () => {
    expect(rejectionDetails([r("QUORUM_TIMEOUT", 2), r("SANCTIONED_COUNTRY", 2)], "timeout")).toEqual({
      code: "QUORUM_FAILED",
      message: "rejected: the validators formed no quorum, and the payment failed closed (QUORUM_TIMEOUT)",
      reasons: ["QUORUM_TIMEOUT"],
    });
    expect(rejectionDetails([], "no_agreement")).toMatchObject({
      code: "QUORUM_FAILED",
      reasons: ["QUORUM_NOT_REACHED"],
    });
  });

  it("says QUORUM_UNSAFE when too many validators are excluded, whatever the reasons", () => {
    expect(rejectionDetails([r("SANCTIONED_COUNTRY", 3)], "unsafe")).toMatchObject({
      code: "QUORUM_UNSAFE",
      reasons: ["VALIDATORS_EXCLUDED"],
    });
  });

  it("attack: one validator adding a graver reason does not relabel the rejection", () => {
    const honest = [r("REVOKED_CODE_PATH", 3)];
    expect(rejectionDetails([...honest, r("SANCTIONED_COUNTRY", 1)])).toMatchObject({
      code: "AUDIT_MISMATCH",
      reasons: ["REVOKED_CODE_PATH"],
    });
  });

  it("attack: a validator claiming a quorum failure, or naming a class, gets the generic class, the lowest", () => {
    expect(rejectionDetails([r("QUORUM_TIMEOUT", 2)]).code).toBe("RISK_REJECTED");
    const tied = [r("QUORUM_TIMEOUT", 1), r("TRUST_BREACH", 1), r("AMOUNT_OVER_LIMIT", 1)];
    expect(rejectionDetails(tied)).toMatchObject({ code: "VALIDATION_FAILURE", reasons: ["AMOUNT_OVER_LIMIT"] });
  });

  it("falls back to the generic class for unknown codes and for no reasons at all", () => {
    expect(rejectionDetails([r("ANOTHER_PACKS_RULE", 3)])).toEqual({
      code: "RISK_REJECTED",
      message: "rejected: the payment's risk is too high (ANOTHER_PACKS_RULE)",
      reasons: ["ANOTHER_PACKS_RULE"],
    });
    expect(rejectionDetails([])).toEqual({
      code: "RISK_REJECTED",
      message: "rejected: the payment's risk is too high",
      reasons: [],
    });
  });
});
