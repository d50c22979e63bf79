/**
 * One payment through the whole network, for real: HTTP → JetStream → four
 * validators → signed verdicts → quorum → log, on PGlite and on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeKinds } from "./helpers/db.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

describe.each(storeKinds())("payments end to end on %s", (store) => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ store });
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("approves and settles (simulated) a LOW payment, with a log index", async () => {
    const res = await net.post(net.payment());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "settled", risk_level: "LOW", decision: "approve" });
    expect(res.body.error_details).toBeUndefined();
    expect(res.body.settlement).toMatchObject({ network: "simulated" });
    expect(res.body.settlement.transaction_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(res.body.log_index).toBeTypeOf("number");
  });

  it("challenges a HIGH payment (amount over the limit)", async () => {
    const res = await net.post(net.payment({ amount: "25000.00" }));
    expect(res.body).toMatchObject({ status: "challenged", risk_level: "HIGH", decision: "challenge" });
    expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain("AMOUNT_OVER_LIMIT");
    expect(res.body.reasons[0].validators).toBeGreaterThanOrEqual(3);
    expect(res.body.error_details).toBeUndefined();
  });

  it("challenges a MEDIUM payment whose code path is not audited", async () => {
    const res = await net.post(net.payment({ func_stack_hashes: ["ab".repeat(32)] }));
    expect(res.body).toMatchObject({ status: "challenged", risk_level: "MEDIUM", decision: "challenge" });
    expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain("UNAUDITED_CODE_PATH");
  });

  it("rejects a CRITICAL payment from a sanctioned country", async () => {
    const res = await net.post(net.payment({ metadata: { country_code: "KP" } }));
    expect(res.body).toMatchObject({ status: "rejected", risk_level: "CRITICAL", decision: "reject" });
    expect(res.body.reasons[0].code).toBe("SANCTIONED_COUNTRY");
    expect(res.body.settlement).toBeUndefined();
    // The decisive reason's class, stored with the decision: the same in the answer and in GET.
    expect(res.body.error_details).toEqual({
      code: "SANCTIONS_BLOCKED",
      message: expect.stringContaining("SANCTIONED_COUNTRY"),
      reasons: ["SANCTIONED_COUNTRY"],
    });
    const shown = await net.get(`/v1/payments/${res.body.payment_id}`);
    expect(shown.body).toMatchObject({ status: "rejected", error_details: res.body.error_details });
  });

  it("returns the same payment for the same idempotency key, and 409 for a different body", async () => {
    const body = net.payment();
    const [a, b] = await Promise.all([net.post(body), net.post(body)]);
    const c = await net.post(body);
    expect(a.body.payment_id).toBe(b.body.payment_id);
    expect(c.body.payment_id).toBe(a.body.payment_id);
    expect(c.body.log_index).toBe(a.body.log_index);
    const rows = await net.db.query("SELECT count(*)::int AS n FROM siq_log_entries WHERE payment_id = $1", [
      a.body.payment_id,
    ]);
    expect(rows[0]!.n).toBe(1);
    const clash = await net.post({ ...body, amount: "13.00" });
    expect(clash.status).toBe(409);
    expect(clash.body.error_details.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("shows a payment with its verdicts to its tenant only", async () => {
    const made = await net.post(net.payment());
    const mine = await net.get(`/v1/payments/${made.body.payment_id}`);
    expect(mine.status).toBe(200);
    expect(mine.body.verdicts.length).toBeGreaterThanOrEqual(3);
    expect(mine.body.verdicts[0].verdict.payment_id).toBe(made.body.payment_id);
    const theirs = await net.get(`/v1/payments/${made.body.payment_id}`, net.apiKey + "-b");
    expect(theirs.status).toBe(404);
    expect(theirs.body.error_details.code).toBe("NOT_FOUND");
  });
});
