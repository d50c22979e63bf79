/** `sentineliq bench`: load through a running network, and the benches that launch what they measure. */
import type { Command } from "commander";
import { z } from "zod";
import { f, parseFlags, wholeNumber } from "../shared/flags.ts";

const LoadFlags = z.object({
  n: f.count.min(1),
  concurrency: f.count.min(1),
  rate: f.count.min(1).optional(),
  warmup: f.count,
  json: f.on,
});
const BenchFlags = LoadFlags.extend(f.target);
const EnginesFlags = z.object({ seconds: f.count.min(1), json: f.on });
const ScreeningFlags = z.object({ sanctions: f.text, json: f.on });
const CountFlags = z.object({ n: f.count.min(1), json: f.on });

/** -n, -c, --rate and --warmup: how much load, and how it arrives. */
function withLoad(c: Command, what: string): Command {
  return c
    .option("-n, --n <count>", what, wholeNumber("-n"), 2000)
    .option("-c, --concurrency <c>", "requests in flight (closed loop)", wholeNumber("-c"), 64)
    .option("--rate <per-second>", "open loop at this arrival rate instead", wholeNumber("--rate"))
    .option("--warmup <count>", "payments sent first and not counted", wholeNumber("--warmup"), 200);
}

export function registerBench(program: Command): void {
  const bench = withLoad(
    program
      .command("bench")
      .enablePositionalOptions()
      .description("drive N payments through a running network; prints throughput and p50/p95/p99 latency"),
    "payments",
  )
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--api-key <key>", "agent API key (SENTINELIQ_API_KEY)")
    .option("--json", "one JSON object")
    .action(async (raw: unknown) => {
      const o = parseFlags(BenchFlags, raw);
      const { runBench } = await import("./payments.ts");
      process.exitCode = await runBench(o);
    });
  registerEngines(bench);
  withLoad(
    bench
      .command("quorum")
      .description(
        "the cost of the quorum: one validator (baseline) vs four vs four with an easy-tier committee, launched in this run",
      ),
    "payments per configuration",
  )
    .option("--json", "one JSON array")
    .action(async (raw: unknown) => {
      const o = parseFlags(LoadFlags, raw);
      const { runBenchQuorum } = await import("./quorum.ts");
      process.exitCode = await runBenchQuorum(o);
    });
  registerInProcess(bench);
}

function registerEngines(bench: Command): void {
  bench
    .command("rules")
    .description(
      "rule engine evaluations per second on one core, beside json-rules-engine and zen-engine running the same rules",
    )
    .option("--seconds <s>", "time per engine", wholeNumber("--seconds"), 3)
    .option("--json", "print { ours_per_s, json_rules_engine_per_s, zen_engine_per_s }")
    .action(async (raw: unknown) => {
      const o = parseFlags(EnginesFlags, raw);
      const { runBenchRules } = await import("./rules.ts");
      process.exitCode = await runBenchRules(o);
    });
  bench
    .command("screening")
    .description("milliseconds per OFAC screening (Jaro-Winkler) against the full list")
    .option("--sanctions <dir>", "OFAC CSV folder (default: data/ofac in the repository)")
    .option("--json", "one JSON object")
    .action(async (raw: unknown) => {
      const o = parseFlags(ScreeningFlags, raw);
      const { runBenchScreening } = await import("./screening.ts");
      process.exitCode = runBenchScreening(o);
    });
}

function registerInProcess(bench: Command): void {
  bench
    .command("settlement")
    .description(
      "settlement throughput in process: the settler on LiteSVM and the simulated ledger, against raw LiteSVM transfers",
    )
    .option("-n, --n <count>", "settlements per measurement", wholeNumber("-n"), 500)
    .option("--json", "one JSON object")
    .action(async (raw: unknown) => {
      const o = parseFlags(CountFlags, raw);
      const { runSettlementBench } = await import("./settlement.ts");
      process.exitCode = await runSettlementBench(o);
    });
  bench
    .command("log")
    .description(
      "log integration rate (JetStream → sequencer → store) next to raw SHA-256 over the same entries, same run",
    )
    .option("-n, --n <count>", "entries", wholeNumber("-n"), 20000)
    .option("--json", "one JSON object")
    .action(async (raw: unknown) => {
      const o = parseFlags(CountFlags, raw);
      const { runLogBench } = await import("./log.ts");
      process.exitCode = await runLogBench(o);
    });
}
