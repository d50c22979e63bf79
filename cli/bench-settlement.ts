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
import { address } from "@solana/kit";
import { migrate } from "../coordinator/index.ts";
import {
  SettlementConfig,
  SimulatedLedger,
  liteSvmBackend,
  Settler,
  SettlementStore,
  buildTransfer,
  ensureKeypairFile,
  loadWallets,
} from "../coordinator/settlement/index.ts";
import { memoryBus } from "../lib/bus/index.ts";
import { openDb } from "../lib/db.ts";
import { createLogger } from "../lib/logger.ts";
import { sha256Hex, settlementMsgId, topology, type SettlementOrder } from "../protocol/index.ts";
import { progress } from "./progress.ts";

export interface SettlementBenchResult {
  n: number;
  raw_litesvm_per_s: number;
  settler_litesvm_per_s: number;
  settler_simulated_per_s: number;
  settler_litesvm_ratio: number;
  settler_simulated_ratio: number;
  failed: number;
}

export async function runSettlementBench(flags: { n: number; json?: boolean }): Promise<number> {
  const n = Math.max(1, flags.n);
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
  const store = new SettlementStore(db);
  const say = (s: string) => flags.json || process.stdout.write(s + "\n");

  // Baseline: the chain work alone.
  const sender = wallets.get(agent)!;
  let bar = flags.json ? undefined : progress("raw litesvm    ", n);
  let t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const lifetime = await chain.latestBlockhash();
    const { tx } = await buildTransfer(
      {
        paymentId: `raw_${i}`,
        asset: { kind: "sol", currency: "SOL", decimals: 9 },
        units: 1000n + BigInt(i),
        sender,
        receiver: receivers[i % 16]!,
      },
      chain.payer,
      config.memoProgram,
      lifetime,
    );
    await chain.send(tx);
    if ((await chain.status(tx.signature)).state !== "confirmed") throw new Error("baseline transfer failed");
    bar?.tick();
  }
  bar?.done();
  const raw = n / ((performance.now() - t0) / 1000);

  let failed = 0;
  const measure = async (label: string, debug: boolean): Promise<number> => {
    let done = 0;
    let finished: () => void = () => {};
    const all = new Promise<void>((r) => (finished = r));
    const b = flags.json ? undefined : progress(label, n);
    const settler = new Settler({
      bus,
      topology: t,
      ledger: new SimulatedLedger(store, config.simulatedOpeningBalance),
      chain: { chain, store, wallets, config },
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
    const start = performance.now();
    for (let i = 0; i < n; i++) {
      const order: SettlementOrder = {
        type: "sentineliq.settle.v1",
        payment_id: `pay_${run}_${i}`,
        tenant_id: "bench",
        payment_digest: sha256Hex(`${run}${i}`),
        sender: agent,
        receiver: receivers[i % 16]!,
        amount: `0.00000${1 + (i % 9)}`,
        currency: "SOL",
        debug_mode: debug,
        approved_at: new Date().toISOString(),
      };
      await bus.publish(t.subjects.settle, new TextEncoder().encode(JSON.stringify(order)), {
        msgId: settlementMsgId(order.payment_id),
      });
    }
    await all;
    const rate = n / ((performance.now() - start) / 1000);
    b?.done();
    await settler.stop();
    return rate;
  };
  const live = await measure("settler litesvm", false);
  const simulated = await measure("settler debug  ", true);
  await db.close();
  rmSync(dir, { recursive: true, force: true });

  const result: SettlementBenchResult = {
    n,
    raw_litesvm_per_s: raw,
    settler_litesvm_per_s: live,
    settler_simulated_per_s: simulated,
    settler_litesvm_ratio: live / raw,
    settler_simulated_ratio: simulated / raw,
    failed,
  };
  if (flags.json) process.stdout.write(JSON.stringify(result) + "\n");
  else {
    say(`raw LiteSVM transfers   ${raw.toFixed(0)}/s (baseline: build, sign, execute, status)`);
    say(`settler on LiteSVM      ${live.toFixed(0)}/s  = ${(live / raw).toFixed(2)} × baseline`);
    say(`settler, debug ledger   ${simulated.toFixed(0)}/s  = ${(simulated / raw).toFixed(2)} × baseline`);
    if (failed) say(`failed settlements      ${failed}`);
  }
  return failed > 0 ? 1 : 0;
}
