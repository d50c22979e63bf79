/**
 * `sentineliq bench`: drives N payments through a running network, either
 * closed-loop at concurrency C or open-loop at a fixed arrival rate (latency
 * then counts from the scheduled send time, so a stall is not hidden).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { getAddressDecoder } from "@solana/kit";
import type { PaymentView } from "../../protocol/index.ts";
import { call, type Target } from "../shared/client.ts";
import { devCredentials, resolveTarget } from "../shared/credentials.ts";
import { progress } from "../shared/progress.ts";

export interface BenchFlags {
  n: number;
  concurrency: number;
  rate?: number;
  warmup: number;
  url?: string;
  apiKey?: string;
  json?: boolean;
}

export interface BenchResult {
  payments: number;
  seconds: number;
  per_second: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  statuses: Record<string, number>;
  errors: number;
}

export async function runBench(flags: BenchFlags): Promise<number> {
  const target = resolveTarget(flags);
  const example = devCredentials()?.example_payment;
  if (!example)
    throw new Error(
      "bench needs an example payment: run `npm start` first (it writes .sentineliq/dev-credentials.json)",
    );
  const run = randomUUID().slice(0, 8);
  // Each payment between its own pair of parties: one pair paying thousands of times a
  // minute is what the repeated-payments rule exists to challenge.
  const address = () => getAddressDecoder().decode(randomBytes(32));
  const body = (i: number) => ({
    ...example,
    idempotency_key: `bench-${run}-${i}`,
    debug_mode: true,
    sender: address(),
    receiver: address(),
  });

  if (flags.warmup > 0)
    await drive(target, flags.warmup, Math.min(flags.concurrency, 32), undefined, (i) => body(-1 - i), false);
  const result = await drive(target, flags.n, flags.concurrency, flags.rate, body, !flags.json);
  if (flags.json) process.stdout.write(JSON.stringify(result) + "\n");
  else {
    const mode = flags.rate ? `open loop at ${flags.rate}/s` : `concurrency ${flags.concurrency}`;
    process.stdout.write(
      [
        `payments   ${result.payments} (${mode})`,
        `throughput ${result.per_second.toFixed(0)} payments/s over ${result.seconds.toFixed(2)} s`,
        `latency    p50 ${result.p50_ms.toFixed(1)} ms · p95 ${result.p95_ms.toFixed(1)} ms · p99 ${result.p99_ms.toFixed(1)} ms · max ${result.max_ms.toFixed(1)} ms`,
        `outcomes   ${Object.entries(result.statuses)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}${result.errors ? ` · errors ${result.errors}` : ""}`,
      ].join("\n") + "\n",
    );
  }
  return result.errors > 0 ? 1 : 0;
}

export async function drive(
  target: Target,
  n: number,
  concurrency: number,
  rate: number | undefined,
  body: (i: number) => unknown,
  showProgress: boolean,
): Promise<BenchResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const bar = showProgress ? progress("bench", n) : { tick() {}, done() {} };
  const t0 = performance.now();
  const one = async (i: number, scheduled: number) => {
    try {
      const res = await call(target, "createPayment", { body: body(i) });
      const status = res.status === 200 ? (res.body as PaymentView).status : `http_${res.status}`;
      statuses[status] = (statuses[status] ?? 0) + 1;
      if (res.status !== 200) errors++;
    } catch {
      errors++;
    }
    latencies.push(performance.now() - scheduled);
    bar.tick();
  };
  if (rate) {
    const inFlight: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const scheduled = t0 + (i * 1000) / rate;
      const wait = scheduled - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      inFlight.push(one(i, scheduled));
    }
    await Promise.all(inFlight);
  } else {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(concurrency, n) }, async () => {
        while (next < n) {
          const i = next++;
          await one(i, performance.now());
        }
      }),
    );
  }
  bar.done();
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    payments: n,
    seconds,
    per_second: n / seconds,
    p50_ms: q(0.5),
    p95_ms: q(0.95),
    p99_ms: q(0.99),
    max_ms: latencies[latencies.length - 1] ?? 0,
    statuses,
    errors,
  };
}
