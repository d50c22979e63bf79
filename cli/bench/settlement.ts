/**
 * `sentineliq bench settlement`: settlement throughput, in process, against a
 * baseline from the same run. Baseline: the same SOL transfer (with memo)
 * built, signed and executed on LiteSVM with nothing around it. Then the
 * settler actor, fed through the bus, settling live orders on LiteSVM (store
 * writes before and after each send, status check) and debug orders in the
 * simulated ledger. Store: PGlite in memory; bus: in process.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { address, type Address } from "@solana/kit";
import { migrate } from "../../coordinator/index.ts";
import {
  buildTransfer,
  ensureKeypairFile,
  liteSvmBackend,
  loadWallets,
  SettlementConfig,
  SettlementStore,
  Settler,
  SimulatedLedger,
  type LiteSvmBackend,
} from "../../coordinator/settlement/index.ts";
import { memoryBus, type Bus } from "../../lib/bus/index.ts";
import { openDb, type Db } from "../../lib/db.ts";
import { createLogger } from "../../lib/logger.ts";
import {
  sha256Hex,
  settlementMsgId,
  signBusMessage,
  Signer,
  topology,
  Verifier,
  type SettlementOrder,
  type Topology,
} from "../../protocol/index.ts";
import { progress } from "../shared/progress.ts";

export interface SettlementBenchResult {
  n: number;
  raw_litesvm_per_s: number;
  settler_litesvm_per_s: number;
  settler_simulated_per_s: number;
  settler_litesvm_ratio: number;
  settler_simulated_ratio: number;
  failed: number;
}

interface Rig {
  n: number;
  dir: string;
  agent: Address;
  receivers: Address[];
  config: SettlementConfig;
  chain: LiteSvmBackend;
  wallets: Awaited<ReturnType<typeof loadWallets>>;
  db: Db;
  bus: Bus;
  t: Topology;
  json: boolean;
}

/** LiteSVM with a funded agent and 16 receivers, PGlite in memory, the in-process bus. */
async function openRig(n: number, json: boolean): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), "siq-bench-settle-"));
  const walletFile = join(dir, "agent.json");
  const agent = address(ensureKeypairFile(walletFile));
  const config = SettlementConfig.parse({ backend: "litesvm", walletFiles: [walletFile], pollMs: 10 });
  const chain = await liteSvmBackend({ tokens: config.tokens });
  await chain.fund(agent, { lamports: 1_000n * 1_000_000_000n, tokenUnits: new Map() });
  const wallets = await loadWallets([walletFile]);
  const receivers = Array.from({ length: 16 }, (_, i) => address(ensureKeypairFile(join(dir, `r${i}.json`))));
  for (const r of receivers) await chain.fund(r, { lamports: 1_000_000_000n, tokenUnits: new Map() });
  const db = await openDb({ url: "memory://" });
  await migrate(db);
  const bus = memoryBus();
  const t = topology("bench");
  await bus.ensureStreams([t.streams.settlements]);
  return { n, dir, agent, receivers, config, chain, wallets, db, bus, t, json };
}

/** The baseline: the chain work alone (build, sign, execute, status); transfers per second. */
async function rawTransfers(rig: Rig): Promise<number> {
  const { chain, n } = rig;
  const sender = rig.wallets.get(rig.agent)!;
  const bar = rig.json ? undefined : progress("raw litesvm    ", n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const lifetime = await chain.latestBlockhash();
    const { tx } = await buildTransfer(
      {
        paymentId: `raw_${i}`,
        asset: { kind: "sol", currency: "SOL", decimals: 9 },
        units: 1000n + BigInt(i),
        sender,
        receiver: rig.receivers[i % 16]!,
      },
      chain.payer,
      rig.config.memoProgram,
      lifetime,
    );
    await chain.send(tx);
    if ((await chain.status(tx.signature)).state !== "confirmed") throw new Error("baseline transfer failed");
    bar?.tick();
  }
  bar?.done();
  return rig.n / ((performance.now() - t0) / 1000);
}

/** n orders through the settler actor (live on LiteSVM, or debug in the simulated ledger): per second, and failures. */
async function throughSettler(rig: Rig, label: string, debug: boolean): Promise<{ rate: number; failed: number }> {
  const { n, bus, t, config } = rig;
  const store = new SettlementStore(rig.db);
  let done = 0;
  let failed = 0;
  let finished: () => void = () => {};
  const all = new Promise<void>((r) => (finished = r));
  const b = rig.json ? undefined : progress(label, n);
  const settler = new Settler({
    bus,
    topology: t,
    ledger: new SimulatedLedger(store, config.simulatedOpeningBalance),
    store,
    busKey: new Verifier(busSigner.publicKey),
    chain: { chain: rig.chain, store, wallets: rig.wallets, config },
    concurrency: config.concurrency,
    logger: createLogger("bench", "silent"),
    metrics: null,
    onSettled: (o) => {
      if (o.status !== "settled") failed++;
      b?.tick();
      if (++done === n) finished();
    },
  });
  await settler.start();
  const run = randomBytes(4).toString("hex");
  const orders = Array.from({ length: n }, (_, i): SettlementOrder => ({
    type: "sentineliq.settle.v1",
    payment_id: `pay_${run}_${i}`,
    tenant_id: "bench",
    payment_digest: sha256Hex(`${run}${i}`),
    sender: rig.agent,
    receiver: rig.receivers[i % 16]!,
    amount: `0.00000${1 + (i % 9)}`,
    currency: "SOL",
    debug_mode: debug,
    approved_at: new Date().toISOString(),
  }));
  for (const order of orders) await approveStored(rig.db, order);
  const start = performance.now();
  for (const order of orders) {
    await bus.publish(t.subjects.settle, new TextEncoder().encode(JSON.stringify(signBusMessage(busSigner, order))), {
      msgId: settlementMsgId(order.payment_id),
    });
  }
  await all;
  const rate = n / ((performance.now() - start) / 1000);
  b?.done();
  await settler.stop();
  return { rate, failed };
}

/** The bench's coordinator bus key: the settler settles only orders it signed. */
const busSigner = Signer.generate().signer;

/** The settler settles only a stored, approved payment: store the one each order names. */
async function approveStored(db: Db, order: SettlementOrder): Promise<void> {
  const request = {
    idempotency_key: order.payment_id,
    agent_id: "bench",
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
     VALUES ($1, $2, 'bench', $1, $3, $4::jsonb, $3, 'approved', 'approve', now(), now())`,
    [order.payment_id, order.tenant_id, order.payment_digest, JSON.stringify(request)],
  );
}

export async function runSettlementBench(flags: { n: number; json?: boolean | undefined }): Promise<number> {
  const rig = await openRig(Math.max(1, flags.n), flags.json === true);
  const raw = await rawTransfers(rig);
  const live = await throughSettler(rig, "settler litesvm", false);
  const simulated = await throughSettler(rig, "settler debug  ", true);
  await rig.db.close();
  rmSync(rig.dir, { recursive: true, force: true });
  const failed = live.failed + simulated.failed;
  const result: SettlementBenchResult = {
    n: rig.n,
    raw_litesvm_per_s: raw,
    settler_litesvm_per_s: live.rate,
    settler_simulated_per_s: simulated.rate,
    settler_litesvm_ratio: live.rate / raw,
    settler_simulated_ratio: simulated.rate / raw,
    failed,
  };
  const say = (s: string) => process.stdout.write(s + "\n");
  if (flags.json) say(JSON.stringify(result));
  else {
    say(`raw LiteSVM transfers   ${raw.toFixed(0)}/s (baseline: build, sign, execute, status)`);
    say(`settler on LiteSVM      ${live.rate.toFixed(0)}/s  = ${result.settler_litesvm_ratio.toFixed(2)} × baseline`);
    say(
      `settler, debug ledger   ${simulated.rate.toFixed(0)}/s  = ${result.settler_simulated_ratio.toFixed(2)} × baseline`,
    );
    if (failed) say(`failed settlements      ${failed}`);
  }
  return failed > 0 ? 1 : 0;
}
