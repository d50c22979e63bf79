/**
 * The RPC backend through real HTTP and @solana/kit's RPC client, against a
 * JSON-RPC endpoint backed by the real Solana runtime (test/helpers/rpc-shim.ts):
 * the same exactly-once procedure as on LiteSVM directly, plus confirmations
 * that lag behind the landing.
 */
import { address } from "@solana/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settleOnChain, type OnChainDeps } from "../coordinator/settlement/onchain.ts";
import { rpcBackend } from "../coordinator/settlement/rpc.ts";
import { loadWallets } from "../coordinator/settlement/wallets.ts";
import { rpcShim, type RpcShim } from "./helpers/rpc-shim.ts";
import { settlementRig, type Rig } from "./helpers/settlement.ts";

describe("settlement through the RPC backend", () => {
  let rig: Rig;
  let shim: RpcShim;
  let deps: OnChainDeps;
  beforeAll(async () => {
    rig = await settlementRig("pglite");
    shim = await rpcShim(rig.svm, { confirmAfter: 2 });
    const chain = rpcBackend({ url: shim.url, commitment: "confirmed", payer: rig.svm.payer });
    deps = { chain, store: rig.store, wallets: await loadWallets(rig.walletFiles), config: rig.config };
  });
  afterAll(async () => {
    await shim?.close();
    await rig?.stop();
  });

  const final = async (delivery: number, order: Parameters<typeof settleOnChain>[0], d = deps) => {
    const r = await settleOnChain(order, delivery, d);
    if (!("outcome" in r)) throw new Error(`not final: ${r.retry}`);
    return r.outcome;
  };

  it("settles SOL, waiting through `processed` until `confirmed`", async () => {
    const order = rig.order({ amount: "1.25" });
    await rig.approve(order);
    shim.calls.length = 0;
    const o = await final(1, order);
    expect(o).toMatchObject({ status: "settled", settlement: { network: "solana" } });
    expect(rig.svm.svm.getBalance(address(order.receiver))).toBe(1_250_000_000n);
    expect(shim.calls.filter((m) => m === "sendTransaction")).toHaveLength(1);
    expect(shim.calls.filter((m) => m === "getSignatureStatuses").length).toBeGreaterThanOrEqual(3);
    expect((await rig.paymentRow(order.payment_id)).status).toBe("settled");
  });

  it("settles USDC and reads token balances over RPC for its checks", async () => {
    const order = rig.order({ amount: "3.5", currency: "USDC" });
    await rig.approve(order);
    expect((await final(1, order)).status).toBe("settled");
    expect(await rig.svm.tokenBalance(address(order.receiver), rig.mint)).toBe(3_500_000n);
    const poor = await final(1, rig.order({ sender: rig.poor, amount: "2", currency: "USDC" }));
    expect(poor.error_details).toMatchObject({ code: "INSUFFICIENT_FUNDS", balance: "1", required: "2" });
  });

  it("after a crash between send and confirmation, finds the landed transaction instead of paying again", async () => {
    const order = rig.order({ amount: "0.4" });
    await rig.approve(order);
    const crashing = {
      ...deps,
      chain: {
        ...deps.chain,
        send: async (tx: Parameters<typeof deps.chain.send>[0]) => {
          await deps.chain.send(tx);
          throw new Error("crash");
        },
      },
    };
    await expect(settleOnChain(order, 1, crashing)).rejects.toThrow("crash");
    const stored = await rig.store.get(order.payment_id);
    shim.calls.length = 0;
    const o = await final(2, order);
    expect(o.settlement.transaction_hash).toBe(stored!.signature);
    expect(shim.calls).not.toContain("sendTransaction");
    expect(rig.svm.svm.getBalance(address(order.receiver))).toBe(400_000_000n);
  });

  it("keeps an order open, not failed, while the cluster cannot be reached after signing", async () => {
    const order = rig.order({ amount: "0.3" });
    await rig.approve(order);
    const down = rpcBackend({
      url: "http://127.0.0.1:9",
      commitment: "confirmed",
      payer: rig.svm.payer,
      timeoutMs: 1000,
    });
    await expect(
      settleOnChain(order, 1, {
        ...deps,
        beforeSend: () => Promise.reject(new Error("crash before send")),
      }),
    ).rejects.toThrow();
    expect(await settleOnChain(order, 5, { ...deps, chain: down })).toHaveProperty("retry");
    expect((await rig.store.get(order.payment_id))!.status).toBe("sending");
    const o = await final(6, order);
    expect(o.status).toBe("settled");
  });
});
