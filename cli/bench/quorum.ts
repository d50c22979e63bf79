/**
 * `sentineliq bench quorum`: the cost of the quorum. The same load through
 * a single validator (the baseline), four validators, and four with an easy
 * tier routed to a three-validator committee, all launched in this one run.
 */
import { drive, type BenchResult } from "./payments.ts";
import { launchBenchNetwork, type BenchNetworkOptions } from "./network.ts";

const CONFIGS: { name: string; opts: BenchNetworkOptions }[] = [
  { name: "1 validator (baseline)", opts: { validators: 1 } },
  { name: "4 validators, byzantine 3/4", opts: { validators: 4 } },
  {
    name: "4 validators, easy tier → committee of 3",
    opts: { validators: 4, committees: { v1: ["fast"], v2: ["fast"], v3: ["fast"] }, tiers: { easy: "fast" } },
  },
];

export async function runBenchQuorum(flags: {
  n: number;
  concurrency: number;
  rate?: number;
  warmup: number;
  json?: boolean;
}): Promise<number> {
  const rows: { name: string; result: BenchResult }[] = [];
  for (const c of CONFIGS) {
    if (!flags.json) process.stderr.write(`${c.name}…\n`);
    const net = await launchBenchNetwork(c.opts);
    try {
      const target = { baseUrl: net.baseUrl, apiKey: net.apiKey };
      const body = (i: number) => ({ ...net.example, idempotency_key: `bq-${i}` });
      if (flags.warmup > 0)
        await drive(target, flags.warmup, Math.min(32, flags.concurrency), undefined, (i) => body(-1 - i), false);
      rows.push({
        name: c.name,
        result: await drive(target, flags.n, flags.concurrency, flags.rate, body, !flags.json),
      });
    } finally {
      await net.stop();
    }
  }
  const base = rows[0]!.result;
  if (flags.json) {
    process.stdout.write(
      JSON.stringify(
        rows.map((r) => ({
          config: r.name,
          ...r.result,
          throughput_vs_baseline: r.result.per_second / base.per_second,
        })),
      ) + "\n",
    );
    return 0;
  }
  const pad = (s: string, n: number) => s.padEnd(n);
  process.stdout.write(
    `\n${pad("configuration", 44)}${pad("payments/s", 12)}${pad("× baseline", 12)}p50 ms   p99 ms\n`,
  );
  for (const r of rows) {
    const x = r.result;
    process.stdout.write(
      `${pad(r.name, 44)}${pad(x.per_second.toFixed(0), 12)}${pad((x.per_second / base.per_second).toFixed(2), 12)}${pad(x.p50_ms.toFixed(1), 9)}${x.p99_ms.toFixed(1)}\n`,
    );
  }
  return rows.some((r) => r.result.errors > 0) ? 1 : 0;
}
