/** What `sentineliq dev` launches: the workspace's validators and coordinator, on the bus and store it found. */
import { join } from "node:path";
import { loadKeyFile, verifierKey } from "../../protocol/index.ts";
import type { ClaimedStore, NetworkSpec, StartedBus, ValidatorInput, Workspace } from "../launcher/index.ts";
import { apiKeyHash, DEV_AGENT_IDS, devTenant } from "../launcher/index.ts";
import { BENCH_RATE_LIMITS } from "../shared/bench-limits.ts";
import { env } from "../shared/env.ts";
import { devSettlement, type Backend } from "../shared/settlement.ts";

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

export const LOG_ORIGIN = "sentineliq.local/log";
export const DEV_NAMESPACE = "siq";

export function devNetwork(
  ws: Workspace,
  opts: DevOptions,
  bus: StartedBus,
  store: ClaimedStore,
  signal: AbortSignal,
  accounts: Record<string, unknown> = {},
): NetworkSpec {
  const inProcess = bus.url === undefined;
  return {
    mode: inProcess ? "in-process" : "processes",
    bus,
    namespace: DEV_NAMESPACE,
    validators: devValidators(ws, opts, inProcess),
    coordinator: {
      host: "127.0.0.1",
      port: opts.port,
      databaseUrl: store.url,
      ...(store.schema ? { dbSchema: store.schema } : {}),
      logKeyFile: ws.logKeyFile,
      logOrigin: LOG_ORIGIN,
      tileArchiveDir: join(ws.dir, "tiles"),
      validatorSet: ws.validatorSet,
      tenants: [devTenant(ws, "dev")],
      auditors: [{ id: "dev-auditor", api_key_sha256: [apiKeyHash(ws.auditorKey)] }],
      operators: [{ id: "dev-operator", api_key_sha256: [apiKeyHash(ws.operatorKey)] }],
      logLevel: env.logLevel ?? "warn",
      // The demo agent's wallet: the dev organisation's, spent by its agents only.
      settlement: devSettlement(
        opts.settlement ?? "none",
        { file: ws.agentWalletFile, tenant: "dev", agent_ids: [...DEV_AGENT_IDS] },
        env,
      ),
      accounts,
      // `sentineliq bench` drives this network from one key and one address.
      http: { rateLimits: BENCH_RATE_LIMITS },
    },
    files: { coordinatorConfig: ws.coordinatorFile, configDir: join(ws.dir, "nodes"), logsDir: ws.logsDir },
    // Generous: on a busy machine, validators loading the OFAC list take a while.
    readyTimeoutMs: 90_000,
    signal,
  };
}

/**
 * Each validator witnesses the log; as processes, they also gossip cosigned checkpoints on ports HTTP+100+i and
 * serve the witness over HTTP (C2SP tlog-witness) on ports HTTP+200+i and their metrics on ports HTTP+300+i.
 */
function devValidators(ws: Workspace, opts: DevOptions, inProcess: boolean): ValidatorInput[] {
  const logVkey = verifierKey(LOG_ORIGIN, loadKeyFile(ws.logKeyFile).signer.publicKey);
  const p2p = ws.validatorSet.validators.map((_, i) => `/ip4/127.0.0.1/tcp/${opts.port + 100 + i}`);
  return ws.validatorSet.validators.map((v, i) => {
    const faulty = opts.faulty?.[v.id];
    return {
      id: v.id,
      keyFile: ws.keyFile(v.id),
      logVkey,
      logUrl: `http://127.0.0.1:${opts.port}`,
      ...(inProcess
        ? { logLevel: "warn" }
        : {
            p2pListen: p2p[i],
            p2pPeers: p2p.filter((_, j) => j !== i),
            witnessListen: `127.0.0.1:${opts.port + 200 + i}`,
            metricsListen: `127.0.0.1:${opts.port + 300 + i}`,
          }),
      ...(faulty ? { faulty } : {}),
      ...(opts.rules ? { rulesDir: opts.rules } : {}),
    };
  });
}
