import { describe, expect, it } from "vitest";
import { assetFor, fromBaseUnits, isFailure, toBaseUnits } from "./assets.ts";
import { USDC_MINT } from "./config.ts";

const tokens = [{ currency: "USDC", mint: USDC_MINT, decimals: 6 }];

describe("amounts in base units", () => {
  it("converts exact decimals", () => {
    expect(toBaseUnits("12.50", 6)).toBe(12_500_000n);
    expect(toBaseUnits("1", 9)).toBe(1_000_000_000n);
    expect(toBaseUnits("0.000000001", 9)).toBe(1n);
    expect(toBaseUnits("999999999999999999.999999", 6)).toBe(999999999999999999999999n);
  });

  it("ignores trailing zeros but never rounds", () => {
    expect(toBaseUnits("1.100000000", 6)).toBe(1_100_000n);
    const r = toBaseUnits("1.0000001", 6);
    expect(isFailure(r) && r.code).toBe("AMOUNT_PRECISION");
  });

  it("round-trips to decimal strings", () => {
    expect(fromBaseUnits(12_500_000n, 6)).toBe("12.5");
    expect(fromBaseUnits(1n, 9)).toBe("0.000000001");
    expect(fromBaseUnits(3_000_000_000n, 9)).toBe("3");
    expect(fromBaseUnits(0n, 6)).toBe("0");
  });
});

describe("assets", () => {
  it("maps SOL to lamports and configured currencies to their mint", () => {
    expect(assetFor("SOL", tokens)).toEqual({ kind: "sol", currency: "SOL", decimals: 9 });
    expect(assetFor("USDC", tokens)).toEqual({ kind: "spl", currency: "USDC", mint: USDC_MINT, decimals: 6 });
  });

  it("fails an unconfigured currency, naming the supported ones", () => {
    expect(assetFor("EUR", tokens)).toMatchObject({ code: "UNSUPPORTED_CURRENCY", supported: ["SOL", "USDC"] });
  });
});
