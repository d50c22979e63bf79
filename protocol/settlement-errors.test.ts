import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { isSettlementErrorCode, SettlementErrors, settlementFailure } from "./settlement-errors.ts";

describe("settlement error catalogue", () => {
  it("documents every code in the README", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const missing = Object.keys(SettlementErrors).filter((code) => !readme.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it("builds failures with the catalogue's message and the facts, never letting a fact replace the code", () => {
    expect(settlementFailure("INSUFFICIENT_FUNDS", { balance: "1", code: "X" })).toEqual({
      balance: "1",
      code: "INSUFFICIENT_FUNDS",
      message: SettlementErrors.INSUFFICIENT_FUNDS,
    });
    expect(isSettlementErrorCode("RPC_UNREACHABLE")).toBe(true);
    expect(isSettlementErrorCode("toString")).toBe(false);
  });
});
