/**
 * Live payments settled on the real Solana runtime through the whole network:
 * HTTP → validators → quorum → log → settler → LiteSVM, with the signature in
 * the synchronous answer. Debug payments stay in the simulated ledger.
 */
import { address, type Signature } from "@solana/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { USDC_MINT } from "../coordinator/settlement/config.ts";
import type { LiteSvmBackend } from "../coordinator/settlement/litesvm.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

describe("live settlement end to end (litesvm)", () => {
  let net: TestNetwork;
  let svm: LiteSvmBackend;
  beforeAll(async () => {
    net = await startNetwork({
      store: "pglite",
      settlement: { backend: "litesvm", fundWallets: { sol: "10", tokens: "1000" } },
    });
    svm = net.coordinator.chain as LiteSvmBackend;
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("settles a non-debug LOW payment with a Solana signature in the answer", async () => {
    const res = await net.post(net.payment({ debug_mode: false, amount: "12.50", currency: "USDC" }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "settled",
      risk_level: "LOW",
      decision: "approve",
      settlement: { network: "solana" },
    });
    const sig = res.body.settlement.transaction_hash as Signature;
    const meta = svm.svm.getTransaction(sig);
    expect(meta && !("err" in meta) && meta.logs().join("\n")).toContain(res.body.payment_id);
    const got = await net.get(`/v1/payments/${res.body.payment_id}`);
    expect(got.body).toMatchObject({ status: "settled", settlement: { network: "solana", transaction_hash: sig } });
  });

  it("settles SOL too", async () => {
    const res = await net.post(net.payment({ debug_mode: false, amount: "0.5", currency: "SOL" }));
    expect(res.body).toMatchObject({ status: "settled", settlement: { network: "solana" } });
  });

  it("answers failed with the reason when the agent cannot pay", async () => {
    const res = await net.post(net.payment({ debug_mode: false, amount: "5000", currency: "USDC" }));
    expect(res.body.decision).toBe("approve");
    expect(res.body).toMatchObject({
      status: "failed",
      error_details: { code: "INSUFFICIENT_FUNDS", balance: expect.any(String), required: "5000" },
    });
    const got = await net.get(`/v1/payments/${res.body.payment_id}`);
    expect(got.body).toMatchObject({ status: "failed", error_details: { code: "INSUFFICIENT_FUNDS" } });
  });

  it("keeps debug payments off the chain, in the simulated ledger", async () => {
    const body = net.payment({ debug_mode: true, amount: "7.25" });
    const before = await svm.tokenBalance(address(body.sender), USDC_MINT);
    const res = await net.post(body);
    expect(res.body).toMatchObject({ status: "settled", settlement: { network: "simulated" } });
    expect(res.body.settlement.transaction_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await svm.tokenBalance(address(body.sender), USDC_MINT)).toBe(before);
    const [row] = await net.db.query(
      "SELECT balance::text AS b FROM siq_sim_balances WHERE account = $1 AND currency = 'USDC'",
      [body.sender],
    );
    expect(Number(row!.b)).toBeLessThan(1_000_000);
  });

  it("returns the settled payment, not a second one, for the same idempotency key", async () => {
    const body = net.payment({ debug_mode: false, amount: "1.00", currency: "USDC" });
    const a = await net.post(body);
    const b = await net.post(body);
    expect(b.body).toMatchObject({ payment_id: a.body.payment_id, status: "settled" });
    expect(b.body.settlement.transaction_hash).toBe(a.body.settlement.transaction_hash);
    const [n] = await net.db.query("SELECT count(*)::int AS n FROM siq_settlement_txs WHERE payment_id = $1", [
      a.body.payment_id,
    ]);
    expect(n!.n).toBe(1);
  });
});

describe("live payments with no settlement backend", () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ store: "pglite" });
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("answers approved at once and leaves the payment approved", async () => {
    const started = Date.now();
    const res = await net.post(net.payment({ debug_mode: false }));
    expect(res.body).toMatchObject({ status: "approved", decision: "approve" });
    expect(res.body.settlement).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(2000);
    await new Promise((r) => setTimeout(r, 300));
    expect((await net.get(`/v1/payments/${res.body.payment_id}`)).body.status).toBe("approved");
  });
});
