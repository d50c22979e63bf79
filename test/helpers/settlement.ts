/**
 * A settlement rig for integration tests: real NATS JetStream (own namespace),
 * PGlite or PostgreSQL, the real Solana runtime (LiteSVM) with a USDC-like
 * mint, funded custody wallets in keypair files, and the settler actor.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { address, type Address } from "@solana/kit";
import { migrate } from "../../coordinator/index.ts";
import { SettlementConfig, USDC_MINT } from "../../coordinator/settlement/config.ts";
import { startSettlement, type RunningSettlement } from "../../coordinator/settlement/index.ts";
import type { OnChainDeps } from "../../coordinator/settlement/onchain.ts";
import { liteSvmBackend, type LiteSvmBackend } from "../../coordinator/settlement/litesvm.ts";
import { outcomeOf, SettlementStore } from "../../coordinator/settlement/store.ts";
import { ensureKeypairFile, loadWallets } from "../../coordinator/settlement/wallets.ts";
import { connectJetStream } from "../../lib/bus/jetstream.ts";
import type { Bus } from "../../lib/bus/types.ts";
import type { Db } from "../../lib/db.ts";
import { createLogger } from "../../lib/logger.ts";
import {
  sha256Hex,
  signBusMessage,
  Signer,
  topology,
  type SettlementOrder,
  type SettlementOutcome,
  type Topology,
} from "../../protocol/index.ts";
import { testStore, type StoreKind, type TestStore } from "./db.ts";
import { dropStreams, testNats, uniqueNamespace, type TestNats } from "./nats.ts";

export const LAMPORTS = 1_000_000_000n;

export interface Rig {
  svm: LiteSvmBackend;
  db: Db;
  bus: Bus;
  topology: Topology;
  store: SettlementStore;
  config: SettlementConfig;
  dir: string;
  /** Custody wallets: `rich` holds 10 SOL and 1000 USDC, `poor` 0.5 SOL and 1 USDC. */
  rich: Address;
  poor: Address;
  walletFiles: string[];
  mint: Address;
  /** A fresh address nobody holds a key for. */
  stranger(): Address;
  order(o?: Partial<SettlementOrder>): SettlementOrder;
  /** The coordinator's bus key: the settler settles only orders it signed. */
  busSigner: Signer;
  /** The order as the coordinator puts it on the bus: signed. */
  signed(order: SettlementOrder): Uint8Array;
  /** Inserts the approved payment an order stands for, as the payment service would have. */
  approve(order: SettlementOrder): Promise<void>;
  start(): Promise<RunningSettlement>;
  nextOutcome(paymentId: string, timeoutMs?: number): Promise<SettlementOutcome>;
  paymentRow(paymentId: string): Promise<Record<string, any>>;
  txCount(paymentId: string): Promise<number>;
  stop(): Promise<void>;
}

export async function settlementRig(kind: StoreKind = "pglite", overrides: Record<string, unknown> = {}): Promise<Rig> {
  const nats: TestNats = await testNats();
  const namespace = uniqueNamespace();
  const t = topology(namespace);
  const bus = await connectJetStream(nats.url, "settlement-test");
  const ts: TestStore = testStore(kind);
  const db = await ts.open();
  await migrate(db);
  const dir = mkdtempSync(join(tmpdir(), "siq-settle-"));
  const walletFiles = ["rich", "poor"].map((n) => join(dir, `${n}.json`));
  const [rich, poor] = walletFiles.map((f) => address(ensureKeypairFile(f))) as [Address, Address];
  const config = SettlementConfig.parse({
    backend: "litesvm",
    // Custody wallets are bound to a tenant and its agents: tenant-a's, any agent.
    walletFiles: walletFiles.map((file) => ({ file, tenant: "tenant-a", agent_ids: ["*"] })),
    pollMs: 20,
    confirmTimeoutMs: 2000,
    waitMs: 4000,
    ...overrides,
  });
  const svm = await liteSvmBackend({ tokens: config.tokens });
  await svm.fund(rich, { lamports: 10n * LAMPORTS, tokenUnits: new Map([["USDC", 1000_000_000n]]) });
  await svm.fund(poor, { lamports: LAMPORTS / 2n, tokenUnits: new Map([["USDC", 1_000_000n]]) });
  await loadWallets(walletFiles);
  const logger = createLogger("settlement-test", "silent");
  const running: RunningSettlement[] = [];
  const busSigner = Signer.generate().signer;

  const stranger = () => address(ensureKeypairFile(join(dir, `stranger-${randomBytes(4).toString("hex")}.json`)));
  return {
    svm,
    db,
    bus,
    topology: t,
    store: new SettlementStore(db),
    config,
    dir,
    rich,
    poor,
    walletFiles,
    mint: USDC_MINT,
    stranger,
    busSigner,
    signed: (order) => new TextEncoder().encode(JSON.stringify(signBusMessage(busSigner, order))),
    order: (o = {}) => ({
      type: "sentineliq.settle.v1",
      payment_id: `pay_${randomBytes(8).toString("hex")}`,
      tenant_id: "tenant-a",
      agent_id: "agent-7",
      payment_digest: sha256Hex(randomBytes(8).toString("hex")),
      sender: rich,
      receiver: stranger(),
      amount: "1.5",
      currency: "SOL",
      debug_mode: false,
      approved_at: new Date().toISOString(),
      ...o,
    }),
    async approve(order) {
      const request = {
        idempotency_key: order.payment_id,
        agent_id: "agent-7",
        sender: order.sender,
        receiver: order.receiver,
        amount: order.amount,
        currency: order.currency,
        debug_mode: order.debug_mode,
        trace_context: {},
        func_stack_hashes: [],
      };
      await db.query(
        `INSERT INTO siq_payments (payment_id, tenant_id, agent_id, idempotency_key, request_hash, request, payment_digest, status, decision, created_at, updated_at)
         VALUES ($1, $2, 'agent-7', $1, $3, $4::jsonb, $3, 'approved', 'approve', now(), now())`,
        [order.payment_id, order.tenant_id, order.payment_digest, JSON.stringify(request)],
      );
    },
    async start() {
      const r = await startSettlement({ config, db, bus, topology: t, logger, register: null, chain: svm, busSigner });
      running.push(r);
      return r;
    },
    /** Waits until the stored settlement is final. */
    async nextOutcome(paymentId, timeoutMs = 10_000) {
      const store = new SettlementStore(db);
      for (const until = Date.now() + timeoutMs; Date.now() < until; await new Promise((r) => setTimeout(r, 25))) {
        const row = await store.get(paymentId);
        const o = row && outcomeOf(row);
        if (o) return o;
      }
      throw new Error(`no settlement outcome for ${paymentId} within ${timeoutMs} ms`);
    },
    async paymentRow(paymentId) {
      const [r] = await db.query("SELECT * FROM siq_payments WHERE payment_id = $1", [paymentId]);
      return r!;
    },
    async txCount(paymentId) {
      const [r] = await db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM siq_settlement_txs WHERE payment_id = $1",
        [paymentId],
      );
      return r!.n;
    },
    async stop() {
      for (const r of running) await r.stop();
      await bus.close();
      await db.close().catch(() => {});
      await ts.drop();
      await dropStreams(nats.url, namespace);
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A rig with its settler running, ready for one describe block: on-chain deps, and `submit` that waits for the outcome. */
export interface StartedRig {
  rig: Rig;
  running: RunningSettlement;
  deps: OnChainDeps;
  submit(order: SettlementOrder): Promise<SettlementOutcome>;
  lamportsOf(account: string): bigint;
}

export async function startedRig(kind: StoreKind): Promise<StartedRig> {
  const rig = await settlementRig(kind);
  const running = await rig.start();
  return {
    rig,
    running,
    deps: { chain: rig.svm, store: rig.store, wallets: await loadWallets(rig.walletFiles), config: rig.config },
    async submit(order) {
      await rig.approve(order);
      await running.handoff.publish(order);
      return rig.nextOutcome(order.payment_id);
    },
    lamportsOf: (a) => rig.svm.svm.getBalance(address(a)) ?? 0n,
  };
}
