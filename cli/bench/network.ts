/**
 * A throw-away network as processes (nats-server if needed, the coordinator,
 * n validators) in a temporary folder, for benchmarks that compare
 * configurations in one run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../../lib/nats-server.ts";
import {
  apiKeyHash,
  claimStore,
  EXAMPLE_FUNC_HASH,
  launchNetwork,
  prepareWorkspace,
  startBus,
  type ValidatorInput,
} from "../launcher/index.ts";
import { BENCH_RATE_LIMITS } from "../shared/bench-limits.ts";
import { env } from "../shared/env.ts";

export interface BenchNetworkOptions {
  validators: number;
  /** Validator id → committees, and tier → committee. */
  committees?: Record<string, string[]>;
  tiers?: { easy?: string; medium?: string; hard?: string };
}

export interface BenchNetwork {
  baseUrl: string;
  apiKey: string;
  example: Record<string, unknown>;
  stop(): Promise<void>;
}

export async function launchBenchNetwork(opts: BenchNetworkOptions): Promise<BenchNetwork> {
  const dir = mkdtempSync(join(tmpdir(), "siq-launch-"));
  const ws = prepareWorkspace(dir, opts.validators);
  const namespace = `b${Date.now().toString(36)}`;
  const validatorSet = {
    ...ws.validatorSet,
    validators: ws.validatorSet.validators.map((v) => ({ ...v, committees: opts.committees?.[v.id] ?? [] })),
    ...(opts.tiers ? { tiers: opts.tiers } : {}),
  };
  const bus = await startBus({
    natsUrl: env.natsUrl,
    searchPath: env.path,
    inProcessFallback: false,
    creds: env.natsCreds,
    tls: env.natsTls,
    auth: { dir: join(dir, "nats"), namespace, validators: ws.validatorSet.validators.map((v) => v.id) },
  });
  const store = claimStore({ databaseUrl: env.databaseUrl, schema: `bench_${namespace}`, pgDir: ws.pgDir });
  const validators: ValidatorInput[] = ws.validatorSet.validators.map((v) => ({ id: v.id, keyFile: ws.keyFile(v.id) }));
  const cleanUp = async () => {
    await bus.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const net = await launchNetwork({
    mode: "processes",
    bus,
    namespace,
    validators,
    coordinator: {
      port: await freePort(),
      databaseUrl: store.url,
      ...(store.schema ? { dbSchema: store.schema } : {}),
      logKeyFile: ws.logKeyFile,
      logOrigin: "sentineliq.bench/log",
      validatorSet,
      // The bench's agents: its example one and the generated agent-<n>.
      tenants: [{ id: "default", api_key_sha256: [apiKeyHash(ws.apiKey)], agent_ids: ["bench-agent", "agent-*"] }],
      logLevel: "warn",
      http: { rateLimits: BENCH_RATE_LIMITS },
    },
    files: { coordinatorConfig: ws.coordinatorFile, configDir: join(dir, "nodes"), logsDir: ws.logsDir },
    readyTimeoutMs: 30_000,
  }).catch(async (e: unknown) => {
    await cleanUp();
    throw new Error(`the network did not start: ${(e as Error).message}`, { cause: e });
  });
  const example = {
    agent_id: "bench-agent",
    sender: ws.addresses.agent,
    receiver: ws.addresses.merchant,
    amount: "12.50",
    currency: "USDC",
    debug_mode: true,
    trace_context: { purpose: "benchmark" },
    func_stack_hashes: [EXAMPLE_FUNC_HASH],
    metadata: { country_code: "DE" },
  };
  const stop = async () => {
    await net.stop();
    await cleanUp();
  };
  return { baseUrl: net.url, apiKey: ws.apiKey, example, stop };
}
