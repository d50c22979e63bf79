import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ErrorCodes, SiqError } from "./errors.ts";

describe("the error catalogue", () => {
  const doc = readFileSync(new URL("../docs/ERRORS.md", import.meta.url), "utf8");

  it.each(Object.entries(ErrorCodes))("documents %s with status %i", (code, status) => {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
  });

  it("puts the code and message in error_details, with the issues", () => {
    const wire = new SiqError("INVALID_AMOUNT", "amount: must be positive", {
      issues: [{ path: "amount", message: "must be positive" }],
    }).toWire();
    expect(wire).toEqual({
      statusCode: 400,
      error: "Bad Request",
      code: "INVALID_AMOUNT",
      message: "amount: must be positive",
      error_details: {
        code: "INVALID_AMOUNT",
        message: "amount: must be positive",
        issues: [{ path: "amount", message: "must be positive" }],
      },
    });
  });
});
