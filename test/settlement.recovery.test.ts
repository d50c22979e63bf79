/**
 * Exactly once on the real Solana runtime (LiteSVM): redelivered and
 * concurrent orders, crashes before the send and between send and
 * confirmation, blockhash expiry, and recovery of approvals at start-up.
 */
import type { Signature } from "@solana/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settleOnChain, type OnChainDeps } from "../coordinator/settlement/onchain.ts";
import { settlementMsgId, type SettlementOrder } from "../protocol/index.ts";
import { storeKinds } from "./helpers/db.ts";
import { LAMPORTS, startedRig, type StartedRig } from "./helpers/settlement.ts";

describe.each(storeKinds())("settlement recovery on LiteSVM, stored in %s", (store) => {
  let started: StartedRig;
  beforeAll(async () => {
    started = await startedRig(store);
  });
  afterAll(async () => {
    await started?.rig.stop();
  });
  const submit = (order: SettlementOrder) => started.submit(order);
  const lamportsOf = (a: string) => started.lamportsOf(a);

  it("pays once when the approval is delivered again, and when it is processed concurrently", async () => {
    const order = started.rig.order({ amount: "0.25" });
    const first = await submit(order);
    // A redelivery the bus cannot de-duplicate (another message id), then three at once in process.
    await started.rig.bus.publish(started.rig.topology.subjects.settle, started.rig.signed(order), {
      msgId: `again:${order.payment_id}`,
    });
    const again = await Promise.all([1, 2, 3].map(() => started.running.settler.process(order)));
    await new Promise((r) => setTimeout(r, 300));
    for (const o of again) expect(o?.settlement.transaction_hash).toBe(first.settlement.transaction_hash);
    expect(lamportsOf(order.receiver)).toBe(250_000_000n);
    expect(await started.rig.txCount(order.payment_id)).toBe(1);
  });

  it("recovers after a crash between send and confirmation: the landed transaction is found, not repeated", async () => {
    const order = started.rig.order({ amount: "2" });
    await started.rig.approve(order);
    const crashing: OnChainDeps = {
      ...started.deps,
      chain: {
        ...started.rig.svm,
        send: async (tx) => {
          await started.rig.svm.send(tx);
          throw new Error("crash after send");
        },
      },
    };
    await expect(settleOnChain(order, 1, crashing)).rejects.toThrow("crash after send");
    const stored = await started.rig.store.get(order.payment_id);
    expect(stored).toMatchObject({ status: "sending", builds: 1 });
    expect(lamportsOf(order.receiver)).toBe(2n * LAMPORTS);

    await started.running.handoff.publish(order); // the redelivery, to the running settler
    const o = await started.rig.nextOutcome(order.payment_id);
    expect(o.status).toBe("settled");
    expect(o.settlement.transaction_hash).toBe(stored!.signature);
    expect(lamportsOf(order.receiver)).toBe(2n * LAMPORTS);
    expect(await started.rig.txCount(order.payment_id)).toBe(1);
  });

  it("recovers after a crash between persisting the signature and sending: the same bytes are sent", async () => {
    const order = started.rig.order({ amount: "0.75" });
    await started.rig.approve(order);
    await expect(
      settleOnChain(order, 1, {
        ...started.deps,
        beforeSend: () => Promise.reject(new Error("crash before send")),
      }),
    ).rejects.toThrow();
    const stored = await started.rig.store.get(order.payment_id);
    expect(stored!.signature).toBeTruthy();
    expect(started.rig.svm.svm.getTransaction(stored!.signature as Signature)).toBeNull();

    const o = await settleOnChain(order, 2, started.deps);
    expect("outcome" in o && o.outcome.settlement.transaction_hash).toBe(stored!.signature);
    expect(lamportsOf(order.receiver)).toBe(750_000_000n);
  });

  it("builds a new transaction only when the unsent one's blockhash has expired", async () => {
    const order = started.rig.order({ amount: "0.5" });
    await started.rig.approve(order);
    await expect(
      settleOnChain(order, 1, {
        ...started.deps,
        beforeSend: () => Promise.reject(new Error("crash before send")),
      }),
    ).rejects.toThrow();
    const stored = await started.rig.store.get(order.payment_id);
    started.rig.svm.svm.expireBlockhash();

    const o = await settleOnChain(order, 2, started.deps);
    if (!("outcome" in o)) throw new Error("not final");
    expect(o.outcome.status).toBe("settled");
    expect(o.outcome.settlement.transaction_hash).not.toBe(stored!.signature);
    expect(started.rig.svm.svm.getTransaction(stored!.signature as Signature)).toBeNull();
    expect(await started.rig.txCount(order.payment_id)).toBe(2);
    expect(lamportsOf(order.receiver)).toBe(500_000_000n);
  });

  it("fails BLOCKHASH_EXPIRED when every transaction expires before it lands", async () => {
    const order = started.rig.order({ amount: "0.5" });
    await started.rig.approve(order);
    const o = await settleOnChain(order, 1, {
      ...started.deps,
      beforeSend: () => Promise.try(() => started.rig.svm.svm.expireBlockhash()),
    });
    expect("outcome" in o && o.outcome).toMatchObject({
      status: "failed",
      error_details: { code: "BLOCKHASH_EXPIRED", builds: 3 },
    });
    expect(lamportsOf(order.receiver)).toBe(0n);
  });

  it("settles, at start-up, an approved payment whose order never reached the bus", async () => {
    const order = started.rig.order({ amount: "0.1" });
    await started.rig.approve(order); // logged as approved, then the coordinator died before handing it over
    expect(await started.running.recover()).toBeGreaterThanOrEqual(1);
    const o = await started.rig.nextOutcome(order.payment_id);
    expect(o.status).toBe("settled");
    expect(lamportsOf(order.receiver)).toBe(100_000_000n);
  });

  it("de-duplicates orders on the bus by payment id", async () => {
    const order = started.rig.order();
    await started.rig.approve(order);
    const t = started.rig.topology.subjects.settle;
    const a = await started.rig.bus.publish(t, started.rig.signed(order), {
      msgId: settlementMsgId(order.payment_id),
    });
    const b = await started.rig.bus.publish(t, started.rig.signed(order), {
      msgId: settlementMsgId(order.payment_id),
    });
    expect([a.duplicate, b.duplicate]).toEqual([false, true]);
    await started.rig.nextOutcome(order.payment_id);
  });
});
