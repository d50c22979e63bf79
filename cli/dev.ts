/**
 * `sentineliq dev`: a complete local network in one command. Bus: NATS_URL,
 * else a nats-server from PATH, else an in-process bus. Storage: DATABASE_URL,
 * else PGlite under ./.sentineliq/.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startCoordinator, parseCoordinatorConfig } from "../coordinator/index.ts";
import { policyFor, ValidatorSet, loadKeyFile, verifierKey } from "../protocol/index.ts";
import { memoryBus } from "../lib/bus/index.ts";
import { findNatsServer, startNatsServer, type NatsServer } from "../lib/nats-server.ts";
import { parseValidatorConfig, startValidator } from "../node/index.ts";
import { env } from "./env.ts";
import { spawnSelf, stopAll, untilSignal, type Child } from "./processes.ts";
import { devSettlement, type Backend } from "./settlement.ts";
import { apiKeyHash, examplePayment, prepareWorkspace } from "./workspace.ts";

export interface DevOptions {
  dir: string;
  validators: number;
  port: number;
  /** Settles live (non-debug) payments: none, litesvm (in process) or rpc (SOLANA_RPC_URL). */
  settlement?: Backend;
  /** validator id → fault mode, for fault drills. */
  faulty?: Record<string, string>;
  /** Rule pack every validator loads (and watches); default: the shipped default pack. */
  rules?: string;
}

export async function runDev(opts: DevOptions): Promise<number> {
  const ws = prepareWorkspace(opts.dir, opts.validators);
  for (const id of Object.keys(opts.faulty ?? {})) {
    if (!ws.validatorSet.validators.some((v) => v.id === id))
      throw new Error(`--faulty ${id}: no such validator (v1…v${opts.validators})`);
  }
  const say = (s = "") => process.stdout.write(s + "\n");
  const cleanup: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const f of cleanup.reverse()) await f().catch(() => {});
  };

  let natsUrl = env.natsUrl;
  let nats: NatsServer | undefined;
  let busNote: string;
  if (natsUrl) busNote = `NATS JetStream at ${natsUrl} (NATS_URL)`;
  else if (findNatsServer(env.path)) {
    nats = await startNatsServer({ searchPath: env.path });
    natsUrl = nats.url;
    cleanup.push(() => nats!.stop());
    busNote = `NATS JetStream at ${natsUrl} (nats-server started from PATH)`;
  } else busNote = "IN-PROCESS BUS";

  const databaseUrl = env.databaseUrl ?? ws.pgDir;
  const lockFile = join(ws.dir, "pgdata.lock");
  if (!env.databaseUrl) {
    if (existsSync(lockFile) && isAlive(Number(readFileSync(lockFile, "utf8")))) {
      say(
        `Another 'sentineliq dev' (pid ${readFileSync(lockFile, "utf8").trim()}) is using ${ws.pgDir}; stop it first.`,
      );
      await stop();
      return 1;
    }
    writeFileSync(lockFile, String(process.pid));
    cleanup.unshift(async () => rmSync(lockFile, { force: true }));
  }
  const logOrigin = "sentineliq.local/log";
  const logVkey = verifierKey(logOrigin, loadKeyFile(ws.logKeyFile).signer.publicKey);
  // Each validator gossips cosigned checkpoints to the others over libp2p, on ports after the HTTP one.
  const p2p = ws.validatorSet.validators.map((_, i) => `/ip4/127.0.0.1/tcp/${opts.port + 100 + i}`);
  const coordinatorConfig = {
    host: "127.0.0.1",
    port: opts.port,
    natsUrl: natsUrl ?? "in-process",
    namespace: "siq",
    databaseUrl,
    logKeyFile: ws.logKeyFile,
    logOrigin,
    tileArchiveDir: join(ws.dir, "tiles"),
    validatorSet: ws.validatorSet,
    tenants: [{ id: "dev", api_key_sha256: [apiKeyHash(ws.apiKey)] }],
    auditors: [{ id: "dev-auditor", api_key_sha256: [apiKeyHash(ws.auditorKey)] }],
    logLevel: env.logLevel ?? "warn",
    settlement: devSettlement(opts.settlement ?? "none", ws.agentWalletFile, env),
  };
  writeFileSync(ws.coordinatorFile, JSON.stringify(coordinatorConfig, null, 2) + "\n");

  let failed: string | undefined;
  let wake: (() => void) | undefined;
  if (!natsUrl) {
    const bus = memoryBus();
    for (const v of ws.validatorSet.validators) {
      const faulty = opts.faulty?.[v.id];
      const node = await startValidator(
        parseValidatorConfig({
          id: v.id,
          keyFile: ws.keyFile(v.id),
          natsUrl: "in-process",
          logLevel: "warn",
          logVkey,
          ...(faulty ? { faulty } : {}),
          ...(opts.rules ? { rulesDir: opts.rules } : {}),
        }),
        bus,
      );
      cleanup.push(() => node.stop());
    }
    const coord = await startCoordinator(parseCoordinatorConfig(coordinatorConfig), { bus });
    cleanup.push(() => coord.close());
  } else {
    const children: Child[] = [];
    const onExit = (c: Child, code: number | null) => {
      if (stopping) return;
      failed = `${c.name} exited (code ${code}); see ${c.logFile}`;
      wake?.();
    };
    let stopping = false;
    cleanup.push(async () => {
      stopping = true;
      await stopAll(children);
    });
    ws.validatorSet.validators.forEach((v, i) => {
      const faulty = opts.faulty?.[v.id];
      const peers = p2p.filter((_, j) => j !== i).flatMap((a) => ["--p2p-peer", a]);
      const args = [
        "node",
        "--id",
        v.id,
        "--key",
        ws.keyFile(v.id),
        "--nats",
        natsUrl,
        "--log-vkey",
        logVkey,
        "--p2p-listen",
        p2p[i]!,
        ...peers,
      ];
      if (faulty) args.push("--faulty", faulty);
      if (opts.rules) args.push("--rules", opts.rules);
      children.push(spawnSelf(v.id, args, ws.logsDir, onExit));
    });
    children.push(spawnSelf("coordinator", ["coordinator", "--config", ws.coordinatorFile], ws.logsDir, onExit));
  }

  const baseUrl = `http://127.0.0.1:${opts.port}`;
  // Generous: on a busy machine, validators loading the OFAC list take a while.
  const ready = await waitReady(baseUrl, 90_000, () => failed);
  if (!ready) {
    say(`The network did not become ready: ${failed ?? "timed out"}.`);
    await stop();
    return 1;
  }

  const example = examplePayment(ws);
  const vkey = (await (await fetch(`${baseUrl}/v1/log/vkey`)).text()).trim();
  const creds = {
    api_key: ws.apiKey,
    base_url: baseUrl,
    log_vkey: vkey,
    example_payment: example,
    auditor_key: ws.auditorKey,
  };
  writeFileSync(ws.credentialsFile, JSON.stringify(creds, null, 2) + "\n", { mode: 0o600 });
  const curl = `curl -s -X POST ${baseUrl}/v1/payments \\\n  -H 'Authorization: Bearer ${ws.apiKey}' \\\n  -H 'Content-Type: application/json' \\\n  -d '${JSON.stringify(example)}'`;

  say("");
  if (!natsUrl) {
    say("  ************************************************************************");
    say("  *  IN-PROCESS BUS: no NATS_URL and no nats-server on PATH.              *");
    say("  *  Everything runs in this one process and nothing on the bus survives *");
    say("  *  a restart. Install nats-server or set NATS_URL for the real network. *");
    say("  ************************************************************************");
    say("");
  }
  say(
    `  SentinelIQ is up: coordinator ${baseUrl} with ${ws.validatorSet.validators.length} validators (${policyFor(ValidatorSet.parse(ws.validatorSet), "challenge").name})`,
  );
  say(`  bus:      ${busNote}`);
  say(`  storage:  ${env.databaseUrl ? "PostgreSQL (DATABASE_URL)" : `PGlite in ${ws.pgDir}`}`);
  say(`  logs:     ${ws.logsDir}`);
  for (const [id, mode] of Object.entries(opts.faulty ?? {}))
    say(`  FAULT DRILL: validator ${id} runs "${mode}" (watch /metrics and the log)`);
  say("");
  say(`  API key:        ${ws.apiKey}`);
  say(`  Auditor key:    ${ws.auditorKey}   (tAudit: npx sentineliq audit approve|revoke <hash>)`);
  say(`  Log verifier:   ${vkey}`);
  say(`  Credentials:    ${ws.credentialsFile}`);
  say("");
  say("  Try it (an approved LOW payment):");
  say("");
  say(curl.replace(/^/gm, "    "));
  say("");
  if (opts.settlement && opts.settlement !== "none") {
    const where =
      opts.settlement === "litesvm"
        ? "the Solana runtime in the coordinator (LiteSVM; agent wallet funded)"
        : "Solana over RPC";
    say(`  Live settlement on ${where}: a real transaction signature comes back in the answer:`);
    say("");
    say("    npx sentineliq pay --live");
    say("");
  }
  say("  Then: npx sentineliq log verify   |   Ctrl-C stops everything.");
  say("");

  const reason = await Promise.race([untilSignal(), new Promise<string>((r) => (wake = () => r("child")))]);
  if (reason === "child") say(`  ${failed}`);
  say("  Stopping…");
  await stop();
  say("  Stopped.");
  return reason === "child" ? 1 : 0;
}

async function waitReady(baseUrl: string, timeoutMs: number, failed: () => string | undefined): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (failed()) return false;
    try {
      const res = await fetch(`${baseUrl}/ready`);
      if (res.ok) return true;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
