/**
 * `sentineliq bench log`: how fast the log sequencer integrates entries from
 * the log stream into the store (leaf hashes, tiles, one transaction per
 * batch), next to raw SHA-256 over the same entry bytes measured in the same
 * run. The stream is filled first, then the sequencer drains it.
 */
import { createHash, randomBytes } from "node:crypto";
import { LogSequencer, migrate } from "../coordinator/index.ts";
import { connectJetStream, memoryBus, type Bus } from "../lib/bus/index.ts";
import { openDb } from "../lib/db.ts";
import { createLogger } from "../lib/logger.ts";
import { findNatsServer, startNatsServer, type NatsServer } from "../lib/nats-server.ts";
import { canonicalBytes, topology, type LogAppend } from "../protocol/index.ts";
import { env } from "./env.ts";
import { progress } from "./progress.ts";

export async function runLogBench(o: { n: number; json?: boolean }): Promise<number> {
  const n = o.n;
  const ns = `b${randomBytes(4).toString("hex")}`;
  const t = topology(ns);
  let nats: NatsServer | undefined;
  let bus: Bus;
  let busName: string;
  if (env.natsUrl) [bus, busName] = [await connectJetStream(env.natsUrl), `JetStream at ${env.natsUrl}`];
  else if (findNatsServer(env.path)) {
    nats = await startNatsServer({ searchPath: env.path });
    [bus, busName] = [await connectJetStream(nats.url), "JetStream (nats-server spawned)"];
  } else [bus, busName] = [memoryBus(), "in-process bus"];
  const schema = env.databaseUrl ? `bench_${ns}` : undefined;
  const db = await openDb({ url: env.databaseUrl ?? "memory://", ...(schema ? { schema } : {}) });
  await migrate(db);
  const storeName = env.databaseUrl ? "PostgreSQL" : "PGlite (in memory)";

  // Entries shaped like decisions: four signed verdicts, about 2.5 KB of JCS.
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
  const entries = Array.from({ length: n }, (_, i) => {
    const p = `pay_bench_${ns}_${i}`;
    return canonicalBytes({
      type: "sentineliq.decision.v1",
      payment_id: p,
      attempt: 1,
      verdicts: [1, 2, 3, 4].map((v) => verdict(p, v)),
      decision: "approve",
      risk_level: "LOW",
    });
  });
  const bytes = entries.reduce((s, e) => s + e.length, 0);

  // Baseline: raw SHA-256 over the same bytes, this run, this machine.
  const t0 = performance.now();
  for (const e of entries) createHash("sha256").update(e).digest();
  const shaSeconds = (performance.now() - t0) / 1000;

  await bus.ensureStreams([t.streams.log]);
  const fill = progress("filling the log stream", n);
  const t1 = performance.now();
  for (let i = 0; i < n; i += 512) {
    await Promise.all(
      entries.slice(i, i + 512).map((e, j) => {
        const msg: LogAppend = {
          type: "sentineliq.log_append.v2",
          key: `bench:${i + j}`,
          entry: Buffer.from(e).toString("base64"),
        };
        return bus.publish(t.subjects.logAppend, Buffer.from(JSON.stringify(msg)), { msgId: `bench:${i + j}` });
      }),
    );
    fill.tick(Math.min(512, n - i));
  }
  fill.done();
  const publishSeconds = (performance.now() - t1) / 1000;

  const seq = new LogSequencer({ db, bus, topology: t, logger: createLogger("bench", "warn") });
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
  const integrateSeconds = (performance.now() - t2) / 1000;
  bar.done();
  const rssMb = Math.max(0, process.memoryUsage().rss - mem0) / 2 ** 20;
  await seq.stop();
  const tiles = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM siq_log_tiles");
  if (schema) await db.query(`DROP SCHEMA ${schema} CASCADE`);
  await db.close();
  if (bus.kind === "jetstream") {
    const { jetstreamManager } = await import("@nats-io/jetstream");
    const { connect } = await import("@nats-io/transport-node");
    const nc = await connect({ servers: (env.natsUrl ?? nats!.url).split(",") });
    await (await jetstreamManager(nc)).streams.delete(t.streams.log.name).catch(() => {});
    await nc.close();
  }
  await bus.close();
  await nats?.stop();

  const r = {
    entries: n,
    entry_bytes_avg: Math.round(bytes / n),
    bus: busName,
    store: storeName,
    integrated_per_second: n / integrateSeconds,
    sha256_entries_per_second: n / shaSeconds,
    integrated_vs_sha256: shaSeconds / integrateSeconds,
    published_per_second: n / publishSeconds,
    tiles_written: tiles[0]!.n,
    rss_growth_mb: rssMb,
  };
  if (o.json) process.stdout.write(JSON.stringify(r) + "\n");
  else {
    process.stdout.write(
      [
        `log bench   ${n} entries of ${r.entry_bytes_avg} B on average · ${busName} · ${storeName}`,
        `integrated  ${r.integrated_per_second.toFixed(0)} entries/s (stream → leaf hashes → tiles → one transaction per batch)`,
        `baseline    ${r.sha256_entries_per_second.toFixed(0)} entries/s raw SHA-256 over the same bytes, same run`,
        `ratio       integration runs at ${(r.integrated_vs_sha256 * 100).toFixed(2)}% of raw SHA-256 speed`,
        `published   ${r.published_per_second.toFixed(0)} entries/s onto the log stream (not part of the integration figure)`,
        `tiles       ${r.tiles_written} tile rows · RSS grew ${rssMb.toFixed(0)} MiB while integrating`,
      ].join("\n") + "\n",
    );
  }
  return r.integrated_per_second >= 5000 ? 0 : 1;
}
