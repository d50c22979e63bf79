/**
 * Batch write isolation on real stores: a payment the database cannot hold (U+0000 in its jsonb, which only a
 * schema bypass could send now) fails alone; the payments of other tenants in the same batch are stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db.ts";
import { sha256Hex, type PaymentRequest } from "../../protocol/index.ts";
import { storeKinds, testStore, type TestStore } from "../../test/helpers/db.ts";
import { migrate } from "./schema.ts";
import { PaymentStore, type NewPayment } from "./payments.ts";

const request = (key: string, purpose: string): PaymentRequest => ({
  idempotency_key: key,
  agent_id: "agent-1",
  sender: "11111111111111111111111111111111",
  receiver: "SysvarC1ock11111111111111111111111111111111",
  amount: "12.50",
  currency: "USDC",
  debug_mode: true,
  trace_context: { purpose },
  func_stack_hashes: [],
});

const payment = (id: string, tenant: string, purpose = "pay invoice 1"): NewPayment => ({
  payment_id: id,
  tenant_id: tenant,
  request: request(`k-${id}`, purpose),
  request_hash: sha256Hex(id),
  payment_digest: sha256Hex(`d${id}`),
  created_at: new Date().toISOString(),
});

describe.each(storeKinds())("payment store batch isolation: %s", (kind) => {
  let store: TestStore;
  let db: Db;
  beforeAll(async () => {
    store = testStore(kind);
    db = await store.open();
    await migrate(db);
  }, 120_000); // PGlite starts slowly on a loaded machine
  afterAll(async () => {
    await db.close().catch(() => {});
    await store.drop();
  });

  it("stores every other tenant's payment of the batch when one holds U+0000", async () => {
    const payments = new PaymentStore(db);
    const batch = [
      payment("pay_a1", "tenant-a"),
      payment("pay_b1", "tenant-b"),
      payment("pay_bad", "tenant-b", "nul \u0000 here"),
      payment("pay_a2", "tenant-a"),
    ];
    // Pushed in one turn of the event loop: one batched INSERT, which the bad row makes fail.
    const results = await Promise.allSettled(batch.map((p) => payments.insertOrGet(p)));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const rows = await db.query<{ payment_id: string }>("SELECT payment_id FROM siq_payments ORDER BY payment_id");
    expect(rows.map((r) => r.payment_id)).toEqual(["pay_a1", "pay_a2", "pay_b1"]);
    // Retrying the good ones is still idempotent: the same rows come back.
    const again = await Promise.all(
      [payment("pay_a1", "tenant-a"), payment("pay_b1", "tenant-b")].map((p) => payments.insertOrGet(p)),
    );
    expect(again.map((r) => r.payment_id)).toEqual(["pay_a1", "pay_b1"]);
  });
});
