/**
 * Assembles settlement from its configuration: the chain backend (none,
 * LiteSVM or RPC), custody wallets, the simulated ledger, the settler actor
 * and the hand-off the payment service uses. Recovery republishes every
 * payment still `approved`, so an approval is never lost to a crash.
 */
import type { Registry } from "prom-client";
import type { Bus } from "../../lib/bus/index.ts";
import type { Db } from "../../lib/db.ts";
import type { Logger } from "../../lib/logger.ts";
import { Verifier, type Signer, type Topology } from "../../protocol/index.ts";
import { toBaseUnits } from "./assets.ts";
import type { ChainBackend } from "./chain.ts";
import type { SettlementConfig } from "./config.ts";
import { SettlementHandoff } from "./handoff.ts";
import { SimulatedLedger } from "./ledger.ts";
import { liteSvmBackend } from "./litesvm.ts";
import { createSettlementMetrics } from "./metrics.ts";
import { rpcBackend } from "./rpc.ts";
import { Settler } from "./settler.ts";
import { SettlementStore } from "./store.ts";
import { loadKeypairFile, loadWallets } from "./wallets.ts";
import { fileOf, ownerOf, type Custody, type WalletFile } from "./custody.ts";

export { SettlementHandoff } from "./handoff.ts";
export { orderFor, SettlementStore } from "./store.ts";
export { SettlementConfig } from "./config.ts";
export type { ChainBackend } from "./chain.ts";
export { SimulatedLedger } from "./ledger.ts";
export { liteSvmBackend, type LiteSvmBackend } from "./litesvm.ts";
export { Settler } from "./settler.ts";
export { buildTransfer } from "./transaction.ts";
export { ensureKeypairFile, loadWallets } from "./wallets.ts";
export { mayDebit, type Custody } from "./custody.ts";

async function loadCustody(files: readonly WalletFile[]): Promise<Custody> {
  const out = new Map<string, ReturnType<typeof ownerOf>>();
  for (const w of files) out.set((await loadKeypairFile(fileOf(w))).address, ownerOf(w));
  return out;
}

export interface RunningSettlement {
  handoff: SettlementHandoff;
  settler: Settler;
  chain: ChainBackend | null;
  /** Custody wallets by address, with who may spend them. */
  custody: Custody;
  recover(): Promise<number>;
  stop(): Promise<void>;
}

export interface SettlementComponents {
  config: SettlementConfig;
  db: Db;
  bus: Bus;
  topology: Topology;
  logger: Logger;
  register: Registry | null;
  /** Signs the orders the hand-off publishes; the settler verifies them with its public key. */
  busSigner: Signer;
  /** Tests hand in a chain (a LiteSVM they also inspect). */
  chain?: ChainBackend;
}

export async function startSettlement(c: SettlementComponents): Promise<RunningSettlement> {
  const cfg = c.config;
  const store = new SettlementStore(c.db);
  const wallets = await loadWallets(cfg.walletFiles.map(fileOf));
  const custody = await loadCustody(cfg.walletFiles);
  const chain = c.chain ?? (await makeChain(cfg, [...wallets.keys()]));
  const handoff = new SettlementHandoff({
    bus: c.bus,
    topology: c.topology,
    waitMs: cfg.waitMs,
    live: chain !== null,
    logger: c.logger,
    busSigner: c.busSigner,
  });
  const settler = new Settler({
    bus: c.bus,
    topology: c.topology,
    ledger: new SimulatedLedger(store, cfg.simulatedOpeningBalance),
    store,
    busKey: new Verifier(c.busSigner.publicKey),
    chain: chain ? { chain, store, wallets, config: cfg } : null,
    concurrency: cfg.concurrency,
    custody,
    ackWaitMs: cfg.confirmTimeoutMs + 10_000,
    logger: c.logger,
    metrics: c.register ? createSettlementMetrics(c.register) : null,
    onSettled: handoff.notify,
  });
  await c.bus.ensureStreams([c.topology.streams.settlements]);
  await settler.start();
  c.logger.info(
    { backend: chain?.name ?? "none", payer: chain?.payer.address, wallets: wallets.size },
    "settlement started",
  );
  return {
    handoff,
    settler,
    chain,
    custody,
    async recover() {
      // Republished under a new id: the first order may sit unacked with a settler that died.
      const orders = await store.unsettled();
      const again = `recover-${Date.now()}`;
      for (const o of orders) await handoff.publish(o, again);
      return orders.length;
    },
    async stop() {
      handoff.close();
      await settler.stop();
      if (!c.chain) await chain?.close();
    },
  };
}

async function makeChain(cfg: SettlementConfig, wallets: string[]): Promise<ChainBackend | null> {
  if (cfg.backend === "none") return null;
  const payer = cfg.payerKeyFile ? await loadKeypairFile(cfg.payerKeyFile) : undefined;
  if (cfg.backend === "rpc") return rpcBackend({ url: cfg.rpcUrl!, commitment: cfg.commitment, payer: payer! });
  const svm = await liteSvmBackend({ tokens: cfg.tokens, ...(payer ? { payer } : {}) });
  if (cfg.fundWallets) {
    const sol = toBaseUnits(cfg.fundWallets.sol, 9) as bigint;
    for (const w of wallets) {
      const tokenUnits = new Map(
        cfg.tokens.map((t) => [t.currency, toBaseUnits(cfg.fundWallets!.tokens, t.decimals) as bigint]),
      );
      await svm.fund(w as Parameters<typeof svm.fund>[0], { lamports: sol, tokenUnits });
    }
  }
  return svm;
}
