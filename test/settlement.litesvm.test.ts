/**
 * Settlement on the real Solana runtime (LiteSVM), through the settler actor
 * and real NATS JetStream: SOL and SPL transfers with a memo, and failures
 * with their precise reasons.
 */
import { address, type Signature } from "@solana/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settleOnChain } from "../coordinator/settlement/onchain.ts";
import type { SettlementOrder } from "../protocol/index.ts";
import { storeKinds } from "./helpers/db.ts";
import { startedRig, type StartedRig } from "./helpers/settlement.ts";

describe.each(storeKinds())("settlement on LiteSVM, stored in %s", (store) => {
  let started: StartedRig;
  beforeAll(async () => {
    started = await startedRig(store);
  });
  afterAll(async () => {
    await started?.rig.stop();
  });
  const submit = (order: SettlementOrder) => started.submit(order);
  const lamportsOf = (a: string) => started.lamportsOf(a);
  const logsOf = (sig: string) => {
    const meta = started.rig.svm.svm.getTransaction(sig as Signature);
    if (!meta || "err" in meta) throw new Error(`transaction ${sig} did not succeed`);
    return meta.logs();
  };

  it("settles SOL with a real signature and a memo carrying the payment id", async () => {
    const order = started.rig.order({ amount: "1.5", currency: "SOL" });
    const o = await submit(order);
    expect(o).toMatchObject({ status: "settled", settlement: { network: "solana" } });
    expect(o.settlement.transaction_hash).toMatch(/^[1-9A-HJ-NP-Za-km-z]{86,88}$/);
    expect(lamportsOf(order.receiver)).toBe(1_500_000_000n);
    expect(logsOf(o.settlement.transaction_hash!).join("\n")).toContain(`Program log: ${order.payment_id}`);
    const row = await started.rig.paymentRow(order.payment_id);
    expect(row.status).toBe("settled");
    expect(row.settlement.transaction_hash).toBe(o.settlement.transaction_hash);
  });

  it("settles USDC (SPL) into the receiver's new token account", async () => {
    const order = started.rig.order({ amount: "12.50", currency: "USDC" });
    const o = await submit(order);
    expect(o.status).toBe("settled");
    expect(await started.rig.svm.tokenBalance(address(order.receiver), started.rig.mint)).toBe(12_500_000n);
    expect(logsOf(o.settlement.transaction_hash!).join("\n")).toContain(order.payment_id);
  });

  it("fails INSUFFICIENT_FUNDS with the balance, sending nothing", async () => {
    const order = started.rig.order({ sender: started.rig.poor, amount: "1" });
    const o = await submit(order);
    expect(o).toMatchObject({
      status: "failed",
      error_details: { code: "INSUFFICIENT_FUNDS", currency: "SOL", balance: "0.5", required: "1" },
    });
    expect(o.settlement.transaction_hash).toBeUndefined();
    expect(await started.rig.txCount(order.payment_id)).toBe(0);
    const row = await started.rig.paymentRow(order.payment_id);
    expect(row).toMatchObject({ status: "failed", error_details: { code: "INSUFFICIENT_FUNDS" } });
  });

  it("fails INSUFFICIENT_FUNDS for tokens too", async () => {
    const o = await submit(started.rig.order({ sender: started.rig.poor, amount: "5", currency: "USDC" }));
    expect(o.error_details).toMatchObject({
      code: "INSUFFICIENT_FUNDS",
      currency: "USDC",
      balance: "1",
      required: "5",
    });
  });

  it("classifies the chain's own error when funds vanish after the checks", async () => {
    const order = started.rig.order({ sender: started.rig.poor, amount: "0.1", currency: "USDC" });
    await started.rig.approve(order);
    const drain = async () => {
      // The sender spends its tokens elsewhere between the check and the send.
      const { tokenAccount } = await import("../coordinator/settlement/transaction.ts");
      const ata = await tokenAccount(started.rig.poor, started.rig.mint);
      const acc = started.rig.svm.svm.getAccount(ata);
      if (!acc.exists) throw new Error("no token account");
      const data = new Uint8Array(acc.data);
      new DataView(data.buffer).setBigUint64(64, 0n, true);
      started.rig.svm.svm.setAccount({ ...acc, data });
    };
    const o = await settleOnChain(order, 1, { ...started.deps, beforeSend: drain });
    if (!("outcome" in o)) throw new Error("not final");
    expect(o.outcome).toMatchObject({
      status: "failed",
      error_details: { code: "INSUFFICIENT_FUNDS", chain_error: { InstructionError: [1, { Custom: 1 }] } },
    });
    expect(o.outcome.settlement.transaction_hash).toBeTruthy();
  });

  it("fails INVALID_RECEIVER for a token mint, and SENDER_NOT_CUSTODIED for a key it does not hold", async () => {
    const mint = await submit(started.rig.order({ receiver: started.rig.mint, currency: "USDC" }));
    expect(mint.error_details).toMatchObject({ code: "INVALID_RECEIVER" });
    const stranger = await submit(started.rig.order({ sender: started.rig.stranger() }));
    expect(stranger.error_details).toMatchObject({ code: "SENDER_NOT_CUSTODIED" });
  });

  it("fails RPC_UNREACHABLE when the cluster cannot be reached and nothing was signed", async () => {
    const { rpcBackend } = await import("../coordinator/settlement/rpc.ts");
    const { freePort } = await import("../lib/nats-server.ts");
    const rpc = rpcBackend({
      url: `http://127.0.0.1:${await freePort()}`,
      commitment: "confirmed",
      payer: started.rig.svm.payer,
      timeoutMs: 2000,
    });
    const order = started.rig.order();
    await started.rig.approve(order);
    const d = { ...started.deps, chain: rpc };
    expect(await settleOnChain(order, 1, d)).toHaveProperty("retry");
    const last = await settleOnChain(order, 3, d);
    expect("outcome" in last && last.outcome.error_details).toMatchObject({ code: "RPC_UNREACHABLE" });
  });

  it("settles debug-mode orders in the simulated ledger, once, and refuses an overdraft", async () => {
    const order = started.rig.order({
      debug_mode: true,
      amount: "600000",
      currency: "USDC",
      sender: started.rig.stranger(),
    });
    const o = await submit(order);
    expect(o).toMatchObject({ status: "settled", settlement: { network: "simulated" } });
    expect(o.settlement.transaction_hash).toMatch(/^[0-9a-f]{64}$/);
    await started.running.settler.process(order);
    const { SimulatedLedger } = await import("../coordinator/settlement/ledger.ts");
    const ledger = new SimulatedLedger(started.rig.store, started.rig.config.simulatedOpeningBalance);
    expect(await ledger.balance(order.sender, "USDC")).toBe("400000");
    expect(await ledger.balance(order.receiver, "USDC")).toBe("1600000");
    const over = await submit(started.rig.order({ ...order, payment_id: `${order.payment_id}x` }));
    expect(over).toMatchObject({
      status: "failed",
      error_details: { code: "INSUFFICIENT_FUNDS", balance: "400000", required: "600000" },
    });
    expect(lamportsOf(order.receiver)).toBe(0n);
  });
});
