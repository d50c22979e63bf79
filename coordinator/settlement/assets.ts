/**
 * Pure: which asset a payment moves and how many base units. SOL is native
 * (9 decimals, lamports); other currencies are the configured SPL mints.
 * Amounts are exact decimal strings, so no float ever touches money.
 */
import type { Address } from "@solana/kit";
import { settlementFailure, type SettlementFailure } from "../../protocol/index.ts";
import type { TokenAsset } from "./config.ts";

export const SOL_DECIMALS = 9;

export type Asset =
  { kind: "sol"; currency: "SOL"; decimals: 9 } | { kind: "spl"; currency: string; mint: Address; decimals: number };

export function assetFor(currency: string, tokens: readonly TokenAsset[]): Asset | SettlementFailure {
  if (currency === "SOL") return { kind: "sol", currency: "SOL", decimals: SOL_DECIMALS };
  const t = tokens.find((x) => x.currency === currency);
  if (!t)
    return settlementFailure("UNSUPPORTED_CURRENCY", {
      currency,
      supported: ["SOL", ...tokens.map((x) => x.currency)],
    });
  return { kind: "spl", currency: t.currency, mint: t.mint, decimals: t.decimals };
}

/** "12.50" with 6 decimals → 12500000n; more decimals than the asset has is a failure, never a rounding. */
export function toBaseUnits(amount: string, decimals: number): bigint | SettlementFailure {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!m) throw new TypeError(`not a decimal amount: ${amount}`);
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (frac.length > decimals) return settlementFailure("AMOUNT_PRECISION", { amount, decimals });
  return BigInt(m[1]!) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, "0") || "0");
}

/** 12500000n with 6 decimals → "12.5" (for messages and the simulated ledger). */
export function fromBaseUnits(units: bigint, decimals: number): string {
  const neg = units < 0n;
  const s = (neg ? -units : units).toString().padStart(decimals + 1, "0");
  const int = s.slice(0, s.length - decimals);
  const frac = decimals > 0 ? s.slice(s.length - decimals).replace(/0+$/, "") : "";
  return `${neg ? "-" : ""}${int}${frac ? `.${frac}` : ""}`;
}

export function isFailure<T>(x: T | SettlementFailure): x is SettlementFailure {
  return typeof x === "object" && x !== null && "code" in x && "message" in x;
}
