/** The settler believes nothing of an order but its payment id: it settles the stored, approved payment. */
import { describe, expect, it } from "vitest";
import type { PaymentRequest, SettlementOrder } from "../../protocol/index.ts";
import { admitOrder, type StoredPayment } from "./guard.ts";

const request: PaymentRequest = {
  idempotency_key: "k1",
  agent_id: "agent-7",
  sender: "11111111111111111111111111111111",
  receiver: "SysvarC1ock11111111111111111111111111111111",
  amount: "12.50",
  currency: "USDC",
  debug_mode: true,
  trace_context: {},
  func_stack_hashes: [],
};
const stored = (status: string): StoredPayment => ({
  payment_id: "pay_1",
  tenant_id: "tenant-a",
  payment_digest: "d".repeat(64),
  status,
  request,
});
/** What an attacker puts on the bus: the stored payment's id and digest, their own receiver and amount. */
const forged: SettlementOrder = {
  type: "sentineliq.settle.v1",
  payment_id: "pay_1",
  tenant_id: "tenant-a",
  agent_id: "mallory",
  payment_digest: "d".repeat(64),
  sender: "SysvarRent111111111111111111111111111111111",
  receiver: "SysvarRent111111111111111111111111111111111",
  amount: "25000",
  currency: "SOL",
  debug_mode: false,
  approved_at: "2026-01-01T00:00:00.000Z",
};

describe("admitOrder", () => {
  it("settles the STORED agent, sender, receiver, amount, currency and mode, never the order's copies", () => {
    const r = admitOrder(forged, stored("approved"));
    expect(r).toEqual({
      order: {
        ...forged,
        agent_id: request.agent_id,
        sender: request.sender,
        receiver: request.receiver,
        amount: "12.50",
        currency: "USDC",
        debug_mode: true,
      },
    });
  });

  it("refuses an unknown payment, one not approved, and an order for another digest or tenant", () => {
    expect(admitOrder(forged, undefined)).toMatchObject({ refused: "UNKNOWN_PAYMENT" });
    for (const s of ["evaluating", "challenged", "rejected", "pending"])
      expect(admitOrder(forged, stored(s))).toMatchObject({ refused: "PAYMENT_NOT_APPROVED" });
    expect(admitOrder({ ...forged, payment_digest: "e".repeat(64) }, stored("approved"))).toMatchObject({
      refused: "PAYMENT_NOT_APPROVED",
    });
    expect(admitOrder({ ...forged, tenant_id: "tenant-b" }, stored("approved"))).toMatchObject({
      refused: "PAYMENT_NOT_APPROVED",
    });
  });

  it("treats a settled or failed payment as done (a redelivery), not as an error", () => {
    expect(admitOrder(forged, stored("settled"))).toEqual({ done: true });
    expect(admitOrder(forged, stored("failed"))).toEqual({ done: true });
  });
});
