/** The `sentineliq` command line: one program, `--help` on every command. */
import { Command, InvalidArgumentError, Option } from "commander";
import { resolve } from "node:path";
import { env } from "./shared/env.ts";

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};
const collect = (v: string, prev: string[] = []) => [...prev, v];
const FAULT_MODES = ["silent", "slow", "approve-all", "forge", "replay", "equivocate"];
function parseFaulty(specs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const m = /^([a-z0-9_-]+)=([a-z-]+)$/.exec(spec);
    if (!m || !FAULT_MODES.includes(m[2]!))
      throw new InvalidArgumentError(`--faulty ${spec}: expected <validator>=<${FAULT_MODES.join("|")}>`);
    out[m[1]!] = m[2]!;
  }
  return out;
}

export function program(): Command {
  const p = new Command("sentineliq")
    .description("SentinelIQ: a distributed risk-control network for payments")
    .showHelpAfterError()
    .enablePositionalOptions()
    .configureHelp({ sortSubcommands: false });

  p.command("dev")
    .description("start a complete local network: NATS, the coordinator and the validators")
    .option("--validators <n>", "number of validator nodes", int("--validators"), 4)
    .option("--port <port>", "coordinator HTTP port (PORT overrides the default)", int("--port"))
    .option("--dir <dir>", "workspace for keys, config and PGlite data", ".sentineliq")
    .option(
      "--rules <dir>",
      "rule pack for every validator, hot-reloaded on change (default: the shipped default pack)",
    )
    .option(
      "--faulty <id=mode>",
      "fault drill: run one validator misbehaving (silent, slow, approve-all, forge, replay, equivocate); repeatable",
      collect,
    )
    .addOption(
      new Option(
        "--settlement <backend>",
        "settle live (non-debug) payments: litesvm (in process), rpc (SOLANA_RPC_URL, SOLANA_PAYER_KEYPAIR)",
      )
        .choices(["none", "litesvm", "rpc"])
        .default("none"),
    )
    .action(async (o) => {
      const { runDev } = await import("./dev/run.ts");
      process.exitCode = await runDev({
        dir: o.dir,
        validators: o.validators,
        port: o.port ?? env.port ?? 8080,
        faulty: parseFaulty(o.faulty ?? []),
        settlement: o.settlement,
        ...(o.rules ? { rules: resolve(o.rules) } : {}),
      });
    });

  p.command("coordinator")
    .description("run the coordinator (HTTP API, quorum, settlement, log)")
    .requiredOption("--config <file>", "coordinator config (JSON); PORT, NATS_URL and DATABASE_URL override it")
    .action(async (o) => {
      const { runCoordinator } = await import("./serve/run.ts");
      await runCoordinator(resolve(o.config));
    });

  p.command("node")
    .description("run one validator node")
    .requiredOption("--id <id>", "validator id, as in the validator set (e.g. v1)")
    .requiredOption("--key <file>", "the validator's Ed25519 key file")
    .option("--nats <url>", "NATS servers (NATS_URL overrides the default)")
    .option("--namespace <ns>", "bus namespace", "siq")
    .option("--rules <dir>", "rule pack directory, hot-reloaded on change (default: the shipped default pack)")
    .option(
      "--shadow-rules <dir>",
      "a candidate pack scored in shadow: its opinion is signed and logged with each verdict, never counted",
    )
    .option("--sanctions <dir>", "OFAC CSV folder (default: data/ofac in the repository)")
    .option("--log-vkey <vkey>", "the log's verifier key: the node then also witnesses (cosigns) its checkpoints")
    .option("--p2p-listen <multiaddr>", "libp2p address for checkpoint gossip, e.g. /ip4/127.0.0.1/tcp/9101")
    .option("--p2p-peer <multiaddr>", "another validator's gossip address (repeatable)", collect)
    .option("--faulty <mode>", "fault drill: silent, slow, approve-all, forge, replay or equivocate")
    .action(async (o) => {
      const { runNode } = await import("./serve/run.ts");
      await runNode({
        id: o.id,
        keyFile: resolve(o.key),
        natsUrl: o.nats ?? env.natsUrl ?? "nats://127.0.0.1:4222",
        namespace: o.namespace,
        ...(o.rules ? { rulesDir: resolve(o.rules) } : {}),
        ...(o.shadowRules ? { shadowRulesDir: resolve(o.shadowRules) } : {}),
        ...(o.sanctions ? { sanctionsDir: resolve(o.sanctions) } : {}),
        ...(o.faulty ? { faulty: o.faulty } : {}),
        ...(o.logVkey ? { logVkey: o.logVkey } : {}),
        ...(o.p2pListen ? { p2pListen: o.p2pListen } : {}),
        p2pPeers: o.p2pPeer ?? [],
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
    .command("init")
    .description(
      "create a network's keys, validator set, coordinator config and an agent API key in a folder (idempotent)",
    )
    .requiredOption("--dir <dir>", "folder to write (keys/, network.json, coordinator.json, credentials.json)")
    .option("--validators <n>", "number of validators", int("--validators"), 4)
    .option("--origin <name>", "log origin", "sentineliq.local/log")
    .action(async (o) => {
      const { initNetwork } = await import("./launcher/workspace.ts");
      const ws = initNetwork(resolve(o.dir), o.validators, o.origin);
      process.stdout.write(
        `wrote ${ws.coordinatorFile} and ${ws.networkFile} (${ws.validatorSet.validators.length} validators)\n`,
      );
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

  p.command("respond <payment_id>")
    .description("answer a payment's open challenge; the network evaluates it again with the evidence")
    .option("--purpose <text>", "proof of purpose: what the payment is for")
    .option("--reference <ref>", "proof of purpose: the invoice or order your trace_context names")
    .option("--log <line>", "logs: a log line (repeatable)", collect)
    .option("--confirmed-by <who>", "step-up: the person who confirmed the payment")
    .option("--json", "print the raw answer")
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--api-key <key>", "agent API key (SENTINELIQ_API_KEY)")
    .action(async (paymentId: string, o) => {
      const { runRespond } = await import("./pay/pay.ts");
      process.exitCode = await runRespond(paymentId, o);
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
      const { runPay } = await import("./pay/pay.ts");
      process.exitCode = await runPay(o);
    });

  const log = p.command("log").description("inspect and verify the verdict log");
  log
    .command("verify")
    .description(
      "verify the whole log: checkpoint signature, every entry and tile, the root, every verdict and decision; exit 1 names the first failure",
    )
    .option("--db <url>", "postgres://… or a PGlite directory (default: DATABASE_URL, else ./.sentineliq/pgdata)")
    .option("--schema <name>", "PostgreSQL schema holding the log")
    .option("--url <url>", "verify a C2SP tlog-tiles log served at this prefix (or by this coordinator) instead")
    .option("--tiles <dir>", "verify a C2SP tlog-tiles log stored as files in this directory instead")
    .option("--network <file>", "validator set, to re-check our decisions (default ./.sentineliq/network.json)")
    .option("--vkey <vkey>", "log verifier key (default: from the dev credentials; required with --url and --tiles)")
    .option("--state <dir>", "where the last verified checkpoint of each log is kept (default ./.sentineliq/auditor)")
    .action(async (o) => {
      const { runLogVerify } = await import("./log/verify.ts");
      process.exitCode = await runLogVerify(o);
    });
  log
    .command("show <payment_id|index>")
    .description("print one entry (by log index, or a payment's latest decision) as JSON")
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--api-key <key>", "agent API key, to look a payment up (SENTINELIQ_API_KEY)")
    .action(async (what: string, o) => {
      const { runLogShow } = await import("./log/tools.ts");
      process.exitCode = await runLogShow(what, o);
    });
  log
    .command("tail")
    .description("print entries as they are logged")
    .option("-f, --follow", "keep following new checkpoints")
    .option("-n, --lines <n>", "start this many entries before the end", int("-n"), 10)
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--vkey <vkey>", "log verifier key (default: from the dev credentials)")
    .action(async (o) => {
      const { runLogTail } = await import("./log/tools.ts");
      process.exitCode = await runLogTail(o);
    });
  log
    .command("proof <index>")
    .description("fetch, verify and print a C2SP tlog-proof for the entry at <index>")
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--vkey <vkey>", "log verifier key (default: from the dev credentials)")
    .action(async (index: string, o) => {
      const { runLogProof } = await import("./log/tools.ts");
      process.exitCode = await runLogProof(index, o);
    });
  log
    .command("consistency <old-checkpoint-file>")
    .description("prove the current checkpoint extends an older one you kept")
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--vkey <vkey>", "log verifier key (default: from the dev credentials)")
    .action(async (file: string, o) => {
      const { runLogConsistency } = await import("./log/tools.ts");
      process.exitCode = await runLogConsistency(file, o);
    });

  const audit = p.command("audit").description("tAudit: hash, submit and audit the functions that make payments");
  audit
    .command("hash <files...>")
    .description("print the code hash of every paymentFunction(...) in the files, as the agent SDK computes it")
    .option("--json", "one JSON array")
    .action(async (files: string[], o) => {
      const { runAuditHash } = await import("./audit/audit.ts");
      process.exitCode = await runAuditHash(
        files.map((f) => resolve(f)),
        o,
      );
    });
  audit
    .command("submit <files...>")
    .description("submit every paymentFunction(...) in the files for audit (agent key)")
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--api-key <key>", "agent API key (SENTINELIQ_API_KEY)")
    .option("--json", "one JSON array")
    .action(async (files: string[], o) => {
      const { runAuditSubmit } = await import("./audit/audit.ts");
      process.exitCode = await runAuditSubmit(
        files.map((f) => resolve(f)),
        o,
      );
    });
  for (const action of ["approve", "revoke"] as const) {
    const cmd = audit
      .command(`${action} <hash>`)
      .description(
        action === "approve"
          ? "approve a pending code hash (auditor key)"
          : "revoke a code hash for good (auditor key)",
      )
      .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
      .option("--auditor-key <key>", "auditor key (SENTINELIQ_AUDITOR_KEY; dev: from the dev credentials)")
      .option("--json", "print the record as JSON");
    if (action === "approve") cmd.option("--note <text>", "why it is approved");
    else cmd.requiredOption("--reason <text>", "why it is revoked (goes into the public log)");
    cmd.action(async (hash: string, o) => {
      const { runAuditDecide } = await import("./audit/audit.ts");
      process.exitCode = await runAuditDecide(action, hash, o);
    });
  }
  audit
    .command("list")
    .description("registry records (auditor: all; agent: those its organisation submitted)")
    .option("--state <state>", "pending, approved or revoked")
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--auditor-key <key>", "auditor key (SENTINELIQ_AUDITOR_KEY)")
    .option("--api-key <key>", "list as an agent instead")
    .option("--json", "one JSON array")
    .action(async (o) => {
      const { runAuditList } = await import("./audit/audit.ts");
      process.exitCode = await runAuditList(o);
    });
  audit
    .command("show <hash>")
    .description("one record with the normalised source to review")
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--auditor-key <key>", "auditor key (SENTINELIQ_AUDITOR_KEY)")
    .option("--api-key <key>", "read as an agent instead")
    .option("--json", "print the record as JSON")
    .action(async (hash: string, o) => {
      const { runAuditShow } = await import("./audit/audit.ts");
      process.exitCode = await runAuditShow(hash, o);
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
    .option("--sanctions <dir>", "OFAC CSV folder (default: data/ofac in the repository)")
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
    .enablePositionalOptions()
    .description("drive N payments through a running network; prints throughput and p50/p95/p99 latency")
    .option("-n, --n <count>", "payments", int("-n"), 2000)
    .option("-c, --concurrency <c>", "requests in flight (closed loop)", int("-c"), 64)
    .option("--rate <per-second>", "open loop at this arrival rate instead", int("--rate"))
    .option("--warmup <count>", "payments sent first and not counted", int("--warmup"), 200)
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--api-key <key>", "agent API key (SENTINELIQ_API_KEY)")
    .option("--json", "one JSON object")
    .action(async (o) => {
      const { runBench } = await import("./bench/payments.ts");
      process.exitCode = await runBench(o);
    });
  bench
    .command("rules")
    .description(
      "rule engine evaluations per second on one core, beside json-rules-engine and zen-engine running the same rules",
    )
    .option("--seconds <s>", "time per engine", int("--seconds"), 3)
    .option("--json", "print { ours_per_s, json_rules_engine_per_s, zen_engine_per_s }")
    .action(async (o) => {
      const { benchRulesEngines } = await import("./bench/rules.ts");
      const r = await benchRulesEngines({ seconds: o.seconds });
      const { agree: _, ...figures } = r;
      if (o.json) process.stdout.write(JSON.stringify(figures) + "\n");
      else {
        const row = (name: string, v: number) =>
          `${name.padEnd(20)} ${String(v).padStart(9)} evaluations/s  ${(r.ours_per_s / v).toFixed(1).padStart(7)}x slower than ours`;
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
    .option("--sanctions <dir>", "OFAC CSV folder (default: data/ofac in the repository)")
    .option("--json", "one JSON object")
    .action(async (o) => {
      const { benchScreening } = await import("./bench/screening.ts");
      const r = benchScreening(o.sanctions);
      process.stdout.write(
        o.json
          ? JSON.stringify(r) + "\n"
          : Object.entries(r)
              .map(([k, v]) => `${k.padEnd(18)} ${v}`)
              .join("\n") + "\n",
      );
    });
  bench
    .command("quorum")
    .description(
      "the cost of the quorum: one validator (baseline) vs four vs four with an easy-tier committee, launched in this run",
    )
    .option("-n, --n <count>", "payments per configuration", int("-n"), 2000)
    .option("-c, --concurrency <c>", "requests in flight (closed loop)", int("-c"), 64)
    .option("--rate <per-second>", "open loop at this arrival rate instead", int("--rate"))
    .option("--warmup <count>", "payments sent first and not counted", int("--warmup"), 200)
    .option("--json", "one JSON array")
    .action(async (o) => {
      const { runBenchQuorum } = await import("./bench/quorum.ts");
      process.exitCode = await runBenchQuorum(o);
    });
  bench
    .command("settlement")
    .description(
      "settlement throughput in process: the settler on LiteSVM and the simulated ledger, against raw LiteSVM transfers",
    )
    .option("-n, --n <count>", "settlements per measurement", int("-n"), 500)
    .option("--json", "one JSON object")
    .action(async (o) => {
      const { runSettlementBench } = await import("./bench/settlement.ts");
      process.exitCode = await runSettlementBench(o);
    });
  bench
    .command("log")
    .description(
      "log integration rate (JetStream → sequencer → store) next to raw SHA-256 over the same entries, same run",
    )
    .option("-n, --n <count>", "entries", int("-n"), 20000)
    .option("--json", "one JSON object")
    .action(async (o) => {
      const { runLogBench } = await import("./bench/log.ts");
      process.exitCode = await runLogBench({ n: o.n, json: o.json });
    });

  return p;
}
