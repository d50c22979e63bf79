/** Facts derived from a payment or an event alone: what validators score and the coordinator checks evidence on. */
import { describe, expect, it } from "vitest";
import { eventFacts, paymentFacts } from "./facts.ts";
import { EventRequest } from "./schemas/event.ts";
import { PaymentRequest } from "./schemas/payment.ts";

const RECEIVER = "SysvarC1ock11111111111111111111111111111111";
const payment = (o: Partial<PaymentRequest> = {}): PaymentRequest =>
  PaymentRequest.parse({
    idempotency_key: "k1",
    agent_id: "agent-42",
    sender: "11111111111111111111111111111111",
    receiver: RECEIVER,
    amount: "120.50",
    currency: "USDC",
    debug_mode: true,
    trace_context: { purpose: "pay invoice 7781: $120.50", steps: ["look up invoice", "pay"] },
    func_stack_hashes: ["a".repeat(64)],
    metadata: { country_code: "DE", ip: "203.0.113.7", geo: { lat: 52.5, lon: 13.4 } },
    ...o,
  });

describe("payment facts", () => {
  it("derive the amount, the subject, the trace and where it came from", () => {
    const f = paymentFacts(payment(), { tenant_id: "t1", id: "pay_1", time: Date.UTC(2026, 0, 1, 13) });
    expect(f).toMatchObject({
      kind: "payment",
      subject: "agent-42",
      amount: 120.5,
      amount_text: "120.50",
      func_stack_hashes_count: 1,
      ip: "203.0.113.7",
      geo: { lat: 52.5, lon: 13.4 },
      tenant_id: "t1",
      hour: 13,
      trace: { steps: 2, amount_mismatch: false, receiver_mismatch: false },
    });
  });

  it("without an origin, are the request alone (as the coordinator sees it)", () => {
    const f = paymentFacts(payment());
    expect(f.tenant_id).toBeUndefined();
    expect(f.time).toBeUndefined();
    expect(paymentFacts(payment())).toEqual(f);
  });

  it("flag a purpose that states another amount or names another receiver", () => {
    const other = "Vote111111111111111111111111111111111111111";
    const lie = paymentFacts(payment({ trace_context: { purpose: `send 5000 USDC to ${other}` } }));
    expect(lie.trace).toMatchObject({ amount_mismatch: true, receiver_mismatch: true });
    const silent = paymentFacts(payment({ trace_context: {} }));
    expect(silent.trace).toMatchObject({ purpose: "", amount_mismatch: false, receiver_mismatch: false });
  });

  it("ignore metadata that only looks like an ip or a position", () => {
    const f = paymentFacts(payment({ metadata: { ip: 7, geo: { lat: "52", lon: 13 } } }));
    expect(f.ip).toBeUndefined();
    expect(f.geo).toBeUndefined();
  });
});

describe("event facts", () => {
  it("name the agent, or else the user, as the subject", () => {
    const e = (o: object) => EventRequest.parse({ event_id: "e1", kind: "password_change", ip: "203.0.113.7", ...o });
    expect(eventFacts(e({ agent_id: "a1", user_id: "u1" })).subject).toBe("a1");
    expect(eventFacts(e({ user_id: "u1" }))).toMatchObject({ subject: "u1", kind: "password_change", metadata: {} });
  });
});
