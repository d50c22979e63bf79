/** The `sentineliq` command line: one program, `--help` on every command. */
import { Command, InvalidArgumentError } from "commander";
import { resolve } from "node:path";
import { env } from "./env.ts";

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

export function program(): Command {
  const p = new Command("sentineliq")
    .description("SentinelIQ: a distributed risk-control network for payments")
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: false });

  p.command("dev")
    .description("start a complete local network: NATS, the coordinator and the validators")
    .option("--validators <n>", "number of validator nodes", int("--validators"), 4)
    .option("--port <port>", "coordinator HTTP port (PORT overrides the default)", int("--port"))
    .option("--dir <dir>", "workspace for keys, config and PGlite data", ".sentineliq")
    .option("--rules <dir>", "rule pack for every validator, hot-reloaded on change (default: the shipped default pack)")
    .action(async (o) => {
      const { runDev } = await import("./dev.ts");
      process.exitCode = await runDev({ dir: o.dir, validators: o.validators, port: o.port ?? env.port ?? 8080, ...(o.rules ? { rules: resolve(o.rules) } : {}) });
    });

  p.command("coordinator")
    .description("run the coordinator (HTTP API, quorum, settlement, log)")
    .requiredOption("--config <file>", "coordinator config (JSON); PORT, NATS_URL and DATABASE_URL override it")
    .action(async (o) => {
      const { runCoordinator } = await import("./serve.ts");
      await runCoordinator(resolve(o.config));
    });

  p.command("node")
    .description("run one validator node")
    .requiredOption("--id <id>", "validator id, as in the validator set (e.g. v1)")
    .requiredOption("--key <file>", "the validator's Ed25519 key file")
    .option("--nats <url>", "NATS servers (NATS_URL overrides the default)")
    .option("--namespace <ns>", "bus namespace", "siq")
    .option("--rules <dir>", "rule pack directory, hot-reloaded on change (default: the shipped default pack)")
    .option("--shadow-rules <dir>", "a candidate pack scored in shadow: its opinion is signed and logged with each verdict, never counted")
    .option("--sanctions <dir>", "OFAC CSV folder (default: shared/data/ofac beside the repository)")
    .action(async (o) => {
      const { runNode } = await import("./serve.ts");
      await runNode({
        id: o.id,
        keyFile: resolve(o.key),
        natsUrl: o.nats ?? env.natsUrl ?? "nats://127.0.0.1:4222",
        namespace: o.namespace,
        ...(o.rules ? { rulesDir: resolve(o.rules) } : {}),
        ...(o.shadowRules ? { shadowRulesDir: resolve(o.shadowRules) } : {}),
        ...(o.sanctions ? { sanctionsDir: resolve(o.sanctions) } : {}),
      });
    });

  const keys = p.command("keys").description("Ed25519 key files");
  keys
    .command("generate")
    .description("write a new key file (0600); prints only the public key")
    .requiredOption("--id <id>", "key id (validator id, or 'log')")
    .requiredOption("--out <file>", "where to write it")
    .option("--force", "overwrite an existing file")
    .action(async (o) => {
      const { generateKeyFile } = await import("../protocol/index.ts");
      const k = generateKeyFile(resolve(o.out), o.id, { overwrite: Boolean(o.force) });
      process.stdout.write(`${k.id} ${k.publicKeyHex}\n`);
    });
  keys
    .command("show <file>")
    .description("print a key file's public key (and its signed-note verifier key with --origin)")
    .option("--origin <name>", "log origin, to print the note verifier key")
    .action(async (file: string, o) => {
      const { loadKeyFile, verifierKey } = await import("../protocol/index.ts");
      const k = loadKeyFile(resolve(file));
      process.stdout.write(`${k.id} ${k.publicKeyHex}\n`);
      if (o.origin) process.stdout.write(verifierKey(o.origin, k.signer.publicKey) + "\n");
    });

  p.command("pay")
    .description("submit a payment (from --file, or the dev example changed by flags) and print the outcome")
    .option("--file <json>", "request body as JSON")
    .option("--amount <decimal>")
    .option("--currency <code>")
    .option("--sender <address>")
    .option("--receiver <address>")
    .option("--agent <id>")
    .option("--country <CC>", "metadata.country_code")
    .option("--purpose <text>", "trace_context.purpose")
    .option("--func-hash <hex>", "a func_stack_hashes entry (repeatable)", collect)
    .option("--idempotency-key <key>")
    .option("--live", "debug_mode false")
    .option("--json", "print the raw answer")
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--api-key <key>", "agent API key (SENTINELIQ_API_KEY)")
    .action(async (o) => {
      const { runPay } = await import("./pay.ts");
      process.exitCode = await runPay(o);
    });

  const log = p.command("log").description("inspect and verify the verdict log");
  log
    .command("verify")
    .description("re-check every entry's chain, signatures and decision; exits 1 naming the first bad entry")
    .option("--db <url>", "postgres://… or a PGlite directory (default: DATABASE_URL, else ./.sentineliq/pgdata)")
    .option("--schema <name>", "PostgreSQL schema holding the log")
    .option("--url <url>", "verify the log served by a coordinator instead")
    .option("--network <file>", "validator set (default ./.sentineliq/network.json)")
    .option("--vkey <vkey>", "log verifier key (default: from the dev credentials)")
    .action(async (o) => {
      const { runLogVerify } = await import("./log.ts");
      process.exitCode = await runLogVerify(o);
    });

  const rules = p.command("rules").description("rule packs: lint, test, backtest, measure");
  rules
    .command("check <dir>")
    .description("validate a rule pack directory (and its test files); errors as file:line:column")
    .action(async (dir: string) => {
      const { runCheck } = await import("./rules/commands.ts");
      process.exitCode = runCheck(dir);
    });
  rules
    .command("test <dir>")
    .description("run the YAML test cases kept beside the rules (*.test.yaml): input → expected level and reasons")
    .option("--sanctions <dir>", "OFAC CSV folder (default: shared/data/ofac beside the repository)")
    .action(async (dir: string, o) => {
      const { runTests } = await import("./rules/commands.ts");
      process.exitCode = runTests(dir, o);
    });
  rules
    .command("backtest <dir>")
    .description("replay logged payments and events through a candidate pack and report what would change")
    .option("--db <url>", "postgres://… or a PGlite directory (default: DATABASE_URL, else ./.sentineliq/pgdata)")
    .option("--schema <name>", "PostgreSQL schema holding the data")
    .option("--limit <n>", "replay at most n payments (the most recent)", int("--limit"))
    .option("--sanctions <dir>", "OFAC CSV folder")
    .option("--json", "one JSON object")
    .action(async (dir: string, o) => {
      const { runBacktest } = await import("./rules/backtest.ts");
      process.exitCode = await runBacktest(dir, o);
    });
  rules
    .command("evaluate")
    .description("stream an AMLSim folder through the engine in time order; precision and recall against isFraud")
    .requiredOption("--amlsim <dir>", "AMLSim output folder (transactions.csv, nodes.csv)")
    .option("--rules <dir>", "rule pack (default: the shipped default pack)")
    .option("--min-level <level>", "count only alerts on payments at this level or above (default: every alert)", "LOW")
    .option("--json", "print { accounts_flagged, precision, recall }")
    .action(async (o) => {
      const { runEvaluate } = await import("./rules/commands.ts");
      process.exitCode = await runEvaluate(o);
    });

  const bench = p
    .command("bench")
    .description("drive N payments through a running network; prints throughput and p50/p95/p99 latency")
    .option("-n, --n <count>", "payments", int("-n"), 2000)
    .option("-c, --concurrency <c>", "requests in flight (closed loop)", int("-c"), 64)
    .option("--rate <per-second>", "open loop at this arrival rate instead", int("--rate"))
    .option("--warmup <count>", "payments sent first and not counted", int("--warmup"), 200)
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--api-key <key>", "agent API key (SENTINELIQ_API_KEY)")
    .option("--json", "one JSON object")
    .action(async (o) => {
      const { runBench } = await import("./bench.ts");
      process.exitCode = await runBench(o);
    });
  bench
    .command("rules")
    .description("rule engine evaluations per second on one core, beside json-rules-engine and zen-engine running the same rules")
    .option("--seconds <s>", "time per engine", int("--seconds"), 3)
    .option("--json", "print { ours_per_s, json_rules_engine_per_s, zen_engine_per_s }")
    .action(async (o, cmd: Command) => {
      // `--json` may be taken by the parent command, which has one too.
      o.json ||= cmd.parent?.opts().json;
      const { benchRulesEngines } = await import("./bench/rules.ts");
      const r = await benchRulesEngines({ seconds: o.seconds });
      const { agree: _, ...figures } = r;
      if (o.json) process.stdout.write(JSON.stringify(figures) + "\n");
      else {
        const row = (name: string, v: number) => `${name.padEnd(20)} ${String(v).padStart(9)} evaluations/s  ${(r.ours_per_s / v).toFixed(1).padStart(7)}x slower than ours`;
        process.stdout.write(
          [
            `default pack, payment rules without sanctions screening; the same answers from all three on every input checked first`,
            `${"sentineliq".padEnd(20)} ${String(r.ours_per_s).padStart(9)} evaluations/s`,
            row("json-rules-engine", r.json_rules_engine_per_s),
            row("zen-engine", r.zen_engine_per_s),
          ].join("\n") + "\n",
        );
      }
    });
  bench
    .command("screening")
    .description("milliseconds per OFAC screening (Jaro-Winkler) against the full list")
    .option("--sanctions <dir>", "OFAC CSV folder (default: shared/data/ofac beside the repository)")
    .option("--json", "one JSON object")
    .action(async (o, cmd: Command) => {
      o.json ||= cmd.parent?.opts().json;
      const { benchScreening } = await import("./bench/screening.ts");
      const r = benchScreening(o.sanctions);
      process.stdout.write(o.json ? JSON.stringify(r) + "\n" : Object.entries(r).map(([k, v]) => `${k.padEnd(18)} ${v}`).join("\n") + "\n");
    });

  return p;
}
