/**
 * Settlement on the real Solana runtime (LiteSVM), through the settler actor
 * and real NATS JetStream: SOL and SPL transfers with a memo, redelivery,
 * crashes between persisting, sending and confirming, and precise failures.
 */
import { address, type Signature } from "@solana/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningSettlement } from "../coordinator/settlement/index.ts";
import { settleOnChain, type OnChainDeps } from "../coordinator/settlement/onchain.ts";
import { loadWallets } from "../coordinator/settlement/wallets.ts";
import { settlementMsgId, type SettlementOrder } from "../protocol/index.ts";
import { storeKinds } from "./helpers/db.ts";
import { LAMPORTS, settlementRig, type Rig } from "./helpers/settlement.ts";

const encoder = new TextEncoder();

describe.each(storeKinds())("settlement on LiteSVM, stored in %s", (store) => {
  let rig: Rig;
  let running: RunningSettlement;
  let deps: OnChainDeps;
  beforeAll(async () => {
    rig = await settlementRig(store);
    running = await rig.start();
    deps = { chain: rig.svm, store: rig.store, wallets: await loadWallets(rig.walletFiles), config: rig.config };
  });
  afterAll(async () => {
    await rig?.stop();
  });

  const submit = async (order: SettlementOrder) => {
    await rig.approve(order);
    await running.handoff.publish(order);
    return rig.nextOutcome(order.payment_id);
  };
  const lamportsOf = (a: string) => rig.svm.svm.getBalance(address(a)) ?? 0n;
  const logsOf = (sig: string) => {
    const meta = rig.svm.svm.getTransaction(sig as Signature);
    if (!meta || "err" in meta) throw new Error(`transaction ${sig} did not succeed`);
    return meta.logs();
  };

  it("settles SOL with a real signature and a memo carrying the payment id", async () => {
    const order = rig.order({ amount: "1.5", currency: "SOL" });
    const o = await submit(order);
    expect(o).toMatchObject({ status: "settled", settlement: { network: "solana" } });
    expect(o.settlement.transaction_hash).toMatch(/^[1-9A-HJ-NP-Za-km-z]{86,88}$/);
    expect(lamportsOf(order.receiver)).toBe(1_500_000_000n);
    expect(logsOf(o.settlement.transaction_hash!).join("\n")).toContain(`Program log: ${order.payment_id}`);
    const row = await rig.paymentRow(order.payment_id);
    expect(row.status).toBe("settled");
    expect(row.settlement.transaction_hash).toBe(o.settlement.transaction_hash);
  });

  it("settles USDC (SPL) into the receiver's new token account", async () => {
    const order = rig.order({ amount: "12.50", currency: "USDC" });
    const o = await submit(order);
    expect(o.status).toBe("settled");
    expect(await rig.svm.tokenBalance(address(order.receiver), rig.mint)).toBe(12_500_000n);
    expect(logsOf(o.settlement.transaction_hash!).join("\n")).toContain(order.payment_id);
  });

  it("pays once when the approval is delivered again, and when it is processed concurrently", async () => {
    const order = rig.order({ amount: "0.25" });
    const first = await submit(order);
    // A redelivery the bus cannot de-duplicate (another message id), then three at once in process.
    await rig.bus.publish(rig.topology.subjects.settle, encoder.encode(JSON.stringify(order)), { msgId: `again:${order.payment_id}` });
    const again = await Promise.all([1, 2, 3].map(() => running.settler.process(order)));
    await new Promise((r) => setTimeout(r, 300));
    for (const o of again) expect(o?.settlement.transaction_hash).toBe(first.settlement.transaction_hash);
    expect(lamportsOf(order.receiver)).toBe(250_000_000n);
    expect(await rig.txCount(order.payment_id)).toBe(1);
  });

  it("recovers after a crash between send and confirmation: the landed transaction is found, not repeated", async () => {
    const order = rig.order({ amount: "2" });
    await rig.approve(order);
    const crashing: OnChainDeps = { ...deps, chain: { ...rig.svm, send: async (tx) => { await rig.svm.send(tx); throw new Error("crash after send"); } } };
    await expect(settleOnChain(order, 1, crashing)).rejects.toThrow("crash after send");
    const stored = await rig.store.get(order.payment_id);
    expect(stored).toMatchObject({ status: "sending", builds: 1 });
    expect(lamportsOf(order.receiver)).toBe(2n * LAMPORTS);

    await running.handoff.publish(order); // the redelivery, to the running settler
    const o = await rig.nextOutcome(order.payment_id);
    expect(o.status).toBe("settled");
    expect(o.settlement.transaction_hash).toBe(stored!.signature);
    expect(lamportsOf(order.receiver)).toBe(2n * LAMPORTS);
    expect(await rig.txCount(order.payment_id)).toBe(1);
  });

  it("recovers after a crash between persisting the signature and sending: the same bytes are sent", async () => {
    const order = rig.order({ amount: "0.75" });
    await rig.approve(order);
    await expect(settleOnChain(order, 1, { ...deps, beforeSend: async () => { throw new Error("crash before send"); } })).rejects.toThrow();
    const stored = await rig.store.get(order.payment_id);
    expect(stored!.signature).toBeTruthy();
    expect(rig.svm.svm.getTransaction(stored!.signature as Signature)).toBeNull();

    const o = await settleOnChain(order, 2, deps);
    expect("outcome" in o && o.outcome.settlement.transaction_hash).toBe(stored!.signature);
    expect(lamportsOf(order.receiver)).toBe(750_000_000n);
  });

  it("builds a new transaction only when the unsent one's blockhash has expired", async () => {
    const order = rig.order({ amount: "0.5" });
    await rig.approve(order);
    await expect(settleOnChain(order, 1, { ...deps, beforeSend: async () => { throw new Error("crash before send"); } })).rejects.toThrow();
    const stored = await rig.store.get(order.payment_id);
    rig.svm.svm.expireBlockhash();

    const o = await settleOnChain(order, 2, deps);
    if (!("outcome" in o)) throw new Error("not final");
    expect(o.outcome.status).toBe("settled");
    expect(o.outcome.settlement.transaction_hash).not.toBe(stored!.signature);
    expect(rig.svm.svm.getTransaction(stored!.signature as Signature)).toBeNull();
    expect(await rig.txCount(order.payment_id)).toBe(2);
    expect(lamportsOf(order.receiver)).toBe(500_000_000n);
  });

  it("fails BLOCKHASH_EXPIRED when every transaction expires before it lands", async () => {
    const order = rig.order({ amount: "0.5" });
    await rig.approve(order);
    const o = await settleOnChain(order, 1, { ...deps, beforeSend: async () => rig.svm.svm.expireBlockhash() });
    expect("outcome" in o && o.outcome).toMatchObject({ status: "failed", error_details: { code: "BLOCKHASH_EXPIRED", builds: 3 } });
    expect(lamportsOf(order.receiver)).toBe(0n);
  });

  it("fails INSUFFICIENT_FUNDS with the balance, sending nothing", async () => {
    const order = rig.order({ sender: rig.poor, amount: "1" });
    const o = await submit(order);
    expect(o).toMatchObject({ status: "failed", error_details: { code: "INSUFFICIENT_FUNDS", currency: "SOL", balance: "0.5", required: "1" } });
    expect(o.settlement.transaction_hash).toBeUndefined();
    expect(await rig.txCount(order.payment_id)).toBe(0);
    const row = await rig.paymentRow(order.payment_id);
    expect(row).toMatchObject({ status: "failed", error_details: { code: "INSUFFICIENT_FUNDS" } });
  });

  it("fails INSUFFICIENT_FUNDS for tokens too", async () => {
    const o = await submit(rig.order({ sender: rig.poor, amount: "5", currency: "USDC" }));
    expect(o.error_details).toMatchObject({ code: "INSUFFICIENT_FUNDS", currency: "USDC", balance: "1", required: "5" });
  });

  it("classifies the chain's own error when funds vanish after the checks", async () => {
    const order = rig.order({ sender: rig.poor, amount: "0.1", currency: "USDC" });
    await rig.approve(order);
    const drain = async () => {
      // The sender spends its tokens elsewhere between the check and the send.
      const { tokenAccount } = await import("../coordinator/settlement/transaction.ts");
      const ata = await tokenAccount(rig.poor, rig.mint);
      const acc = rig.svm.svm.getAccount(ata);
      if (!acc.exists) throw new Error("no token account");
      const data = new Uint8Array(acc.data);
      new DataView(data.buffer).setBigUint64(64, 0n, true);
      rig.svm.svm.setAccount({ ...acc, data });
    };
    const o = await settleOnChain(order, 1, { ...deps, beforeSend: drain });
    if (!("outcome" in o)) throw new Error("not final");
    expect(o.outcome).toMatchObject({ status: "failed", error_details: { code: "INSUFFICIENT_FUNDS", chain_error: { InstructionError: [1, { Custom: 1 }] } } });
    expect(o.outcome.settlement.transaction_hash).toBeTruthy();
  });

  it("fails INVALID_RECEIVER for a token mint, and SENDER_NOT_CUSTODIED for a key it does not hold", async () => {
    const mint = await submit(rig.order({ receiver: rig.mint, currency: "USDC" }));
    expect(mint.error_details).toMatchObject({ code: "INVALID_RECEIVER" });
    const stranger = await submit(rig.order({ sender: rig.stranger() }));
    expect(stranger.error_details).toMatchObject({ code: "SENDER_NOT_CUSTODIED" });
  });

  it("fails RPC_UNREACHABLE when the cluster cannot be reached and nothing was signed", async () => {
    const { rpcBackend } = await import("../coordinator/settlement/rpc.ts");
    const { freePort } = await import("../lib/nats-server.ts");
    const rpc = rpcBackend({ url: `http://127.0.0.1:${await freePort()}`, commitment: "confirmed", payer: rig.svm.payer, timeoutMs: 2000 });
    const order = rig.order();
    await rig.approve(order);
    const d = { ...deps, chain: rpc };
    expect(await settleOnChain(order, 1, d)).toHaveProperty("retry");
    const last = await settleOnChain(order, 3, d);
    expect("outcome" in last && last.outcome.error_details).toMatchObject({ code: "RPC_UNREACHABLE" });
  });

  it("settles debug-mode orders in the simulated ledger, once, and refuses an overdraft", async () => {
    const order = rig.order({ debug_mode: true, amount: "600000", currency: "USDC", sender: rig.stranger() });
    const o = await submit(order);
    expect(o).toMatchObject({ status: "settled", settlement: { network: "simulated" } });
    expect(o.settlement.transaction_hash).toMatch(/^[0-9a-f]{64}$/);
    await running.settler.process(order);
    const { SimulatedLedger } = await import("../coordinator/settlement/ledger.ts");
    const ledger = new SimulatedLedger(rig.store, rig.config.simulatedOpeningBalance);
    expect(await ledger.balance(order.sender, "USDC")).toBe("400000");
    expect(await ledger.balance(order.receiver, "USDC")).toBe("1600000");
    const over = await submit(rig.order({ ...order, payment_id: `${order.payment_id}x` }));
    expect(over).toMatchObject({ status: "failed", error_details: { code: "INSUFFICIENT_FUNDS", balance: "400000", required: "600000" } });
    expect(lamportsOf(order.receiver)).toBe(0n);
  });

  it("settles, at start-up, an approved payment whose order never reached the bus", async () => {
    const order = rig.order({ amount: "0.1" });
    await rig.approve(order); // logged as approved, then the coordinator died before handing it over
    expect(await running.recover()).toBeGreaterThanOrEqual(1);
    const o = await rig.nextOutcome(order.payment_id);
    expect(o.status).toBe("settled");
    expect(lamportsOf(order.receiver)).toBe(100_000_000n);
  });

  it("de-duplicates orders on the bus by payment id", async () => {
    const order = rig.order();
    const t = rig.topology.subjects.settle;
    const a = await rig.bus.publish(t, encoder.encode(JSON.stringify(order)), { msgId: settlementMsgId(order.payment_id) });
    const b = await rig.bus.publish(t, encoder.encode(JSON.stringify(order)), { msgId: settlementMsgId(order.payment_id) });
    expect([a.duplicate, b.duplicate]).toEqual([false, true]);
    await rig.nextOutcome(order.payment_id);
  });
});
