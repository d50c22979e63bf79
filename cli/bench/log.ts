/**
 * `sentineliq bench log`: how fast the log sequencer integrates entries from
 * the log stream into the store (leaf hashes, tiles, one transaction per
 * batch), next to raw SHA-256 over the same entry bytes measured in the same
 * run. The stream is filled first, then the sequencer drains it.
 */
import { createHash, randomBytes } from "node:crypto";
import { LogSequencer, migrate } from "../../coordinator/index.ts";
import { connectJetStream, type Bus } from "../../lib/bus/index.ts";
import { openDb, type Db } from "../../lib/db.ts";
import { createLogger } from "../../lib/logger.ts";
import {
  TypeTags,
  canonicalBytes,
  signBusMessage,
  Signer,
  topology,
  ValidatorSet,
  type LogAppend,
  type Topology,
} from "../../protocol/index.ts";
import { startBus } from "../launcher/index.ts";
import { env } from "../shared/env.ts";
import { progress } from "../shared/progress.ts";

interface Rig {
  bus: Bus;
  busName: string;
  db: Db;
  storeName: string;
  t: Topology;
  close(): Promise<void>;
}

/** The bus (NATS_URL, a spawned nats-server, else in process) and the store (DATABASE_URL, else PGlite in memory). */
async function openRig(ns: string): Promise<Rig> {
  const started = await startBus({ natsUrl: env.natsUrl, searchPath: env.path, inProcessFallback: true });
  const bus = started.memory ?? (await connectJetStream(started.url!));
  const busName = started.memory
    ? "in-process bus"
    : started.server
      ? "JetStream (nats-server spawned)"
      : `JetStream at ${started.url}`;
  const schema = env.databaseUrl ? `bench_${ns}` : undefined;
  const db = await openDb({ url: env.databaseUrl ?? "memory://", ...(schema ? { schema } : {}) });
  await migrate(db);
  const t = topology(ns);
  const close = async () => {
    if (schema) await db.query(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
    if (started.url) await dropLogStream(started.url, t);
    if (!started.memory) await bus.close();
    await started.stop();
  };
  return { bus, busName, db, storeName: env.databaseUrl ? "PostgreSQL" : "PGlite (in memory)", t, close };
}

async function dropLogStream(url: string, t: Topology): Promise<void> {
  const { jetstreamManager } = await import("@nats-io/jetstream");
  const { connect } = await import("@nats-io/transport-node");
  const nc = await connect({ servers: url.split(",") });
  await (await jetstreamManager(nc)).streams.delete(t.streams.log.name).catch(() => {});
  await nc.close();
}

/** The bench's coordinator bus key: the sequencer integrates only appends it signed. */
const busSigner = Signer.generate().signer;

/**
 * Entries shaped like decisions: four signed verdicts, about 2.5 KB of JCS. Their signatures are random, so they
 * carry a bench type: a `sentineliq.decision.v1` from another process is verified first, and these would be refused.
 */
function decisionEntries(n: number, ns: string): Uint8Array[] {
  const verdict = (p: string, v: number) => ({
    signature: randomBytes(64).toString("base64"),
    verdict: {
      type: "sentineliq.verdict.v1",
      payment_id: p,
      attempt: 1,
      payment_digest: randomBytes(32).toString("hex"),
      validator_id: `v${v}`,
      risk_level: "LOW",
      score: 3,
      reasons: [{ code: "WITHIN_LIMITS", message: "amount within the agent's limits" }],
      rule_pack: randomBytes(32).toString("hex"),
      evaluated_at: new Date().toISOString(),
    },
  });
  return Array.from({ length: n }, (_, i) => {
    const p = `pay_bench_${ns}_${i}`;
    return canonicalBytes({
      type: TypeTags.bench_decision,
      payment_id: p,
      attempt: 1,
      verdicts: [1, 2, 3, 4].map((v) => verdict(p, v)),
      decision: "approve",
      risk_level: "LOW",
    });
  });
}

/** Publishes every entry onto the log stream; seconds taken. */
async function fillStream(rig: Rig, entries: Uint8Array[]): Promise<number> {
  const { bus, t } = rig;
  await bus.ensureStreams([t.streams.log]);
  const fill = progress("filling the log stream", entries.length);
  const t1 = performance.now();
  for (let i = 0; i < entries.length; i += 512) {
    await Promise.all(
      entries.slice(i, i + 512).map((e, j) => {
        const msg: LogAppend = {
          type: "sentineliq.log_append.v2",
          key: `bench:${i + j}`,
          entry: Buffer.from(e).toString("base64"),
        };
        return bus.publish(t.subjects.logAppend, Buffer.from(JSON.stringify(signBusMessage(busSigner, msg))), {
          msgId: `bench:${i + j}`,
        });
      }),
    );
    fill.tick(Math.min(512, entries.length - i));
  }
  fill.done();
  return (performance.now() - t1) / 1000;
}

/** Runs the sequencer until it has integrated n entries: seconds taken, RSS growth, tile rows written. */
async function integrate(rig: Rig, n: number): Promise<{ seconds: number; rssMb: number; tiles: number }> {
  const seq = new LogSequencer({
    db: rig.db,
    bus: rig.bus,
    topology: rig.t,
    logger: createLogger("bench", "warn"),
    validatorSet: ValidatorSet.parse({ validators: [{ id: "v1", public_key: "00".repeat(32) }] }),
    busSigner,
  });
  await seq.init();
  const bar = progress("integrating", n);
  let seen = 0;
  const done = new Promise<void>((resolve) =>
    seq.onIntegrated((size) => {
      bar.tick(size - seen);
      seen = size;
      if (size >= n) resolve();
    }),
  );
  const mem0 = process.memoryUsage().rss;
  const t2 = performance.now();
  await seq.start();
  await done;
  const seconds = (performance.now() - t2) / 1000;
  bar.done();
  const rssMb = Math.max(0, process.memoryUsage().rss - mem0) / 2 ** 20;
  await seq.stop();
  const tiles = await rig.db.query<{ n: number }>("SELECT count(*)::int AS n FROM siq_log_tiles");
  return { seconds, rssMb, tiles: tiles[0]!.n };
}

export async function runLogBench(o: { n: number; json?: boolean | undefined }): Promise<number> {
  const n = o.n;
  const ns = `b${randomBytes(4).toString("hex")}`;
  const rig = await openRig(ns);
  const entries = decisionEntries(n, ns);
  const bytes = entries.reduce((s, e) => s + e.length, 0);
  // Baseline: raw SHA-256 over the same bytes, this run, this machine.
  const t0 = performance.now();
  for (const e of entries) createHash("sha256").update(e).digest();
  const shaSeconds = (performance.now() - t0) / 1000;
  const publishSeconds = await fillStream(rig, entries);
  const integrated = await integrate(rig, n);
  await rig.close();

  const r = {
    entries: n,
    entry_bytes_avg: Math.round(bytes / n),
    bus: rig.busName,
    store: rig.storeName,
    integrated_per_second: n / integrated.seconds,
    sha256_entries_per_second: n / shaSeconds,
    integrated_vs_sha256: shaSeconds / integrated.seconds,
    published_per_second: n / publishSeconds,
    tiles_written: integrated.tiles,
    rss_growth_mb: integrated.rssMb,
  };
  process.stdout.write((o.json ? JSON.stringify(r) : report(r)) + "\n");
  return r.integrated_per_second >= 5000 ? 0 : 1;
}

function report(r: {
  entries: number;
  entry_bytes_avg: number;
  bus: string;
  store: string;
  integrated_per_second: number;
  sha256_entries_per_second: number;
  integrated_vs_sha256: number;
  published_per_second: number;
  tiles_written: number;
  rss_growth_mb: number;
}): string {
  return [
    `log bench   ${r.entries} entries of ${r.entry_bytes_avg} B on average · ${r.bus} · ${r.store}`,
    `integrated  ${r.integrated_per_second.toFixed(0)} entries/s (stream → leaf hashes → tiles → one transaction per batch)`,
    `baseline    ${r.sha256_entries_per_second.toFixed(0)} entries/s raw SHA-256 over the same bytes, same run`,
    `ratio       integration runs at ${(r.integrated_vs_sha256 * 100).toFixed(2)}% of raw SHA-256 speed`,
    `published   ${r.published_per_second.toFixed(0)} entries/s onto the log stream (not part of the integration figure)`,
    `tiles       ${r.tiles_written} tile rows · RSS grew ${r.rss_growth_mb.toFixed(0)} MiB while integrating`,
  ].join("\n");
}
