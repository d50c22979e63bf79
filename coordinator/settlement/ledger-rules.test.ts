import { describe, expect, it } from "vitest";
import type { SettlementOrder } from "../../protocol/index.ts";
import { applyLedger, balanceKey, units } from "./ledger-rules.ts";

const A = "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV";
const B = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
const order = (id: string, amount: string, o: Partial<SettlementOrder> = {}): SettlementOrder => ({
  type: "sentineliq.settle.v1",
  payment_id: id,
  tenant_id: "t",
  payment_digest: "ab".repeat(32),
  sender: A,
  receiver: B,
  amount,
  currency: "USDC",
  debug_mode: true,
  approved_at: "2026-01-01T00:00:00.000Z",
  ...o,
});
const now = new Date("2026-01-01T00:00:01.000Z");

describe("applyLedger", () => {
  it("opens unseen accounts with the opening balance and moves exact amounts", () => {
    const b = new Map<string, bigint>();
    const out = applyLedger(b, [{ order: order("p1", "0.000000001"), precheck: undefined }], units("100"), now);
    expect(out.get("p1")).toMatchObject({ status: "settled", settlement: { network: "simulated" } });
    expect(b.get(balanceKey(A, "USDC"))).toBe(units("99.999999999"));
    expect(b.get(balanceKey(B, "USDC"))).toBe(units("100.000000001"));
  });

  it("refuses an overdraft in order, with the balance at that point", () => {
    const b = new Map([[balanceKey(A, "USDC"), units("10")]]);
    const out = applyLedger(
      b,
      [
        { order: order("p1", "6"), precheck: undefined },
        { order: order("p2", "6"), precheck: undefined },
      ],
      units("100"),
      now,
    );
    expect(out.get("p1")!.status).toBe("settled");
    expect(out.get("p2")).toMatchObject({
      status: "failed",
      error_details: { code: "INSUFFICIENT_FUNDS", balance: "4", required: "6" },
    });
    expect(b.get(balanceKey(A, "USDC"))).toBe(units("4"));
  });

  it("applies a payment id once even if it appears twice", () => {
    const b = new Map<string, bigint>();
    const out = applyLedger(
      b,
      [
        { order: order("p1", "1"), precheck: undefined },
        { order: order("p1", "1"), precheck: undefined },
      ],
      units("100"),
      now,
    );
    expect(out.size).toBe(1);
    expect(b.get(balanceKey(A, "USDC"))).toBe(units("99"));
  });

  it("keeps currencies apart and passes prechecked failures through untouched", () => {
    const b = new Map<string, bigint>();
    const bad = { code: "INVALID_RECEIVER" as const, message: "x" };
    const out = applyLedger(
      b,
      [
        { order: order("p1", "1", { currency: "SOL" }), precheck: undefined },
        { order: order("p2", "1"), precheck: bad },
      ],
      units("5"),
      now,
    );
    expect(b.get(balanceKey(A, "SOL"))).toBe(units("4"));
    expect(b.has(balanceKey(A, "USDC"))).toBe(false);
    expect(out.get("p2")).toMatchObject({ status: "failed", error_details: bad });
  });
});
