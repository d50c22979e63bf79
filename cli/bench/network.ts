/**
 * Launches a throw-away network as processes (nats-server if needed, the
 * coordinator, n validators), for benchmarks that compare configurations in
 * one run.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startNatsServer, type NatsServer } from "../../lib/nats-server.ts";
import { env } from "../shared/env.ts";
import { spawnSelf, stopAll, type Child } from "../launcher/processes.ts";
import { initNetwork } from "../launcher/workspace.ts";

export interface LaunchOptions {
  validators: number;
  /** Validator id → committees, and tier → committee. */
  committees?: Record<string, string[]>;
  tiers?: { easy?: string; medium?: string; hard?: string };
}

export interface Launched {
  baseUrl: string;
  apiKey: string;
  example: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function launchNetwork(opts: LaunchOptions): Promise<Launched> {
  const dir = mkdtempSync(join(tmpdir(), "siq-launch-"));
  const ws = initNetwork(dir, opts.validators, "sentineliq.bench/log");
  let nats: NatsServer | undefined;
  const natsUrl = env.natsUrl ?? (nats = await startNatsServer({ searchPath: env.path })).url;
  const namespace = `b${Date.now().toString(36)}`;
  const set = JSON.parse(readFileSync(ws.networkFile, "utf8"));
  for (const v of set.validators) v.committees = opts.committees?.[v.id] ?? [];
  if (opts.tiers) set.tiers = opts.tiers;
  writeFileSync(ws.networkFile, JSON.stringify(set));
  const port = await freePort();
  const config = JSON.parse(readFileSync(ws.coordinatorFile, "utf8"));
  Object.assign(config, {
    host: "127.0.0.1",
    port,
    natsUrl,
    namespace,
    logLevel: "warn",
    databaseUrl: join(dir, "pgdata"),
  });
  if (env.databaseUrl) Object.assign(config, { databaseUrl: env.databaseUrl, dbSchema: `bench_${namespace}` });
  writeFileSync(ws.coordinatorFile, JSON.stringify(config));

  const children: Child[] = [];
  let failed: string | undefined;
  const onExit = (c: Child, code: number | null) => (failed ??= `${c.name} exited (${code}); see ${c.logFile}`);
  for (const v of set.validators as { id: string }[]) {
    children.push(
      spawnSelf(
        v.id,
        ["node", "--id", v.id, "--key", ws.keyFile(v.id), "--nats", natsUrl, "--namespace", namespace],
        ws.logsDir,
        onExit,
      ),
    );
  }
  children.push(spawnSelf("coordinator", ["coordinator", "--config", ws.coordinatorFile], ws.logsDir, onExit));
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    failed ??= "stopping";
    await stopAll(children);
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  for (const until = Date.now() + 30_000; ; await new Promise((r) => setTimeout(r, 200))) {
    if (
      await fetch(`${baseUrl}/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (failed || Date.now() > until) {
      const why = failed ?? "timed out";
      await stop();
      throw new Error(`the network did not start: ${why}`);
    }
  }
  const example = {
    agent_id: "bench-agent",
    sender: ws.addresses.agent,
    receiver: ws.addresses.merchant,
    amount: "12.50",
    currency: "USDC",
    debug_mode: true,
    trace_context: { purpose: "benchmark" },
    func_stack_hashes: ["e57eb157d61a56f8d32a82fa47d04e96e531734430c80f6cb6b38d49137429f0"],
    metadata: { country_code: "DE" },
  };
  return { baseUrl, apiKey: ws.apiKey, example, stop };
}
