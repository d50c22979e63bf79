/**
 * A whole network for integration tests: real NATS JetStream, a real store,
 * n validators and the coordinator on a free port, with fresh keys.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddressDecoder } from "@solana/kit";
import type { RunningCoordinator } from "../../coordinator/index.ts";
import { launchNetwork, startBus } from "../../cli/launcher/index.ts";
import type { Db } from "../../lib/db.ts";
import type { NatsServer } from "../../lib/nats-server.ts";
import type { RunningValidator } from "../../node/index.ts";
import {
  generateKeyFile,
  sha256Hex,
  Signer,
  verifierKey,
  type LoadedKey,
  type PaymentRequest,
  type ValidatorSetInput,
} from "../../protocol/index.ts";
import { ensureKeypairFile } from "../../coordinator/settlement/wallets.ts";
import { testStore, type StoreKind, type TestStore } from "./db.ts";
import { dropStreams, uniqueNamespace } from "./nats.ts";

export const AUDITED_HASH = "e57eb157d61a56f8d32a82fa47d04e96e531734430c80f6cb6b38d49137429f0";

export interface NetworkOptions {
  store: StoreKind;
  validators?: number;
  k?: number;
  /** Validators actually started (default: all); the rest stay silent. */
  running?: number;
  deadlineMs?: number;
  /** Settlement config (coordinator `settlement`); the agent's wallet file is added to its custody. */
  settlement?: Record<string, unknown>;
  /** Extra validator settings (e.g. gossip). */
  validatorConfig?: Record<string, unknown>;
  /** Extra coordinator settings (e.g. tileArchiveDir, witnessQuorum). */
  coordinatorConfig?: Record<string, unknown>;
  /** Fault drills: validator id → mode. */
  faulty?: Record<string, string>;
  challengeTtlMs?: number;
  /** Committees per validator, and which committee each tier goes to. */
  committees?: Record<string, string[]>;
  tiers?: { easy?: string; medium?: string; hard?: string };
  /** A nats-server of its own admitting only NKey users, each role with its permissions (seeds in <dir>/nats). */
  auth?: boolean;
  /** The agent ids tenant-a's key is issued for (default "*": most tests name their agents freely). */
  agentIds?: string[];
  /** More keys of tenant-a, each issued for its own agent ids. */
  extraKeys?: { key: string; agent_ids: string[] }[];
  /** The agent ids of tenant-a that may spend the agent's custody wallet (with `settlement`; default "*"). */
  walletAgentIds?: string[];
  /** An auditor set in network.json (one auditor, "auditor-1", key file `auditorSigningKeyFile`). */
  auditorSet?: boolean;
}

export interface TestNetwork {
  url: string;
  apiKey: string;
  /** An auditor's key (tAudit approvals and revocations). */
  auditorKey: string;
  /** An operator's key (validators: list, reinstate). */
  operatorKey: string;
  /** An approver of tenant-a (confirms or declines its step-ups); tenant-b's is this + "-b". */
  approverKey: string;
  namespace: string;
  natsUrl: string;
  /** The nats-server this network started (with `auth`, or without NATS_URL). */
  natsServer: NatsServer | undefined;
  db: Db;
  store: TestStore;
  dir: string;
  validatorSet: ValidatorSetInput;
  keys: Map<string, LoadedKey>;
  logKeyFile: string;
  /** The coordinator's bus key (what it signs tasks, orders, log appends and registry values with). */
  busKey: LoadedKey;
  /** With `auditorSet`: the auditor's Ed25519 key file (it signs approvals and revocations). */
  auditorSigningKeyFile: string;
  vkey: string;
  coordinator: RunningCoordinator;
  validators: RunningValidator[];
  payment(overrides?: Partial<PaymentRequest>): PaymentRequest;
  post(body: unknown, apiKey?: string): Promise<{ status: number; body: any }>;
  respond(paymentId: string, body: unknown, apiKey?: string): Promise<{ status: number; body: any }>;
  get(path: string, apiKey?: string): Promise<{ status: number; body: any }>;
  /** Any route: method, path, JSON body, key. */
  request(method: string, path: string, body?: unknown, apiKey?: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export async function startNetwork(opts: NetworkOptions): Promise<TestNetwork> {
  const n = opts.validators ?? 4;
  const namespace = uniqueNamespace();
  const dir = mkdtempSync(join(tmpdir(), "siq-net-"));
  const ids = Array.from({ length: n }, (_, i) => `v${i + 1}`);
  // Real NATS JetStream: NATS_URL when set (shared, one namespace per network), else a nats-server of its own.
  const bus = await startBus({
    natsUrl: opts.auth ? undefined : process.env.NATS_URL,
    searchPath: process.env.PATH ?? "",
    inProcessFallback: false,
    ...(opts.auth ? { auth: { dir: join(dir, "nats"), namespace, validators: ids } } : {}),
  });
  const keys = new Map<string, LoadedKey>();
  for (let i = 1; i <= n; i++) keys.set(`v${i}`, generateKeyFile(join(dir, `v${i}.json`), `v${i}`));
  const logKeyFile = join(dir, "log.json");
  const logKey = generateKeyFile(logKeyFile, "log");
  const busKey = generateKeyFile(join(dir, "coordinator-bus.json"), "coordinator-bus");
  const auditorSigningKeyFile = join(dir, "auditor-signing.json");
  const auditorSigner = opts.auditorSet ? generateKeyFile(auditorSigningKeyFile, "auditor-1") : undefined;
  const logVkey = verifierKey("sentineliq.local/log", logKey.signer.publicKey);
  const validatorSet: ValidatorSetInput = {
    validators: [...keys.values()].map((k) => ({
      id: k.id,
      public_key: k.publicKeyHex,
      weight: 1,
      committees: opts.committees?.[k.id] ?? [],
    })),
    ...(opts.k !== undefined ? { quorum: { k: opts.k } } : {}),
    ...(opts.tiers ? { tiers: opts.tiers } : {}),
    ...(auditorSigner ? { auditors: [{ id: auditorSigner.id, public_key: auditorSigner.publicKeyHex }] } : {}),
  };
  writeFileSync(join(dir, "network.json"), JSON.stringify(validatorSet));
  const apiKey = `siq_test_${randomBytes(16).toString("hex")}`;
  const auditorKey = `siq_auditor_${randomBytes(16).toString("hex")}`;
  const operatorKey = `siq_operator_${randomBytes(16).toString("hex")}`;
  const approverKey = `siq_approver_${randomBytes(16).toString("hex")}`;
  // The agent's wallet is a real keypair, so a settler given custody of it can sign its payments.
  const agentWallet = join(dir, "agent-wallet.json");
  const sender = ensureKeypairFile(agentWallet);
  const store = testStore(opts.store);
  const db = await store.open();

  const launched = await launchNetwork({
    mode: "in-process",
    bus,
    namespace,
    db,
    validators: [...keys.keys()].slice(0, opts.running ?? n).map((id) => {
      const faulty = opts.faulty?.[id];
      return {
        id,
        keyFile: join(dir, `${id}.json`),
        logLevel: "silent",
        logVkey,
        ...(faulty ? { faulty } : {}),
        ...opts.validatorConfig,
      };
    }),
    coordinator: {
      port: 0,
      databaseUrl: store.url,
      dbSchema: store.schema,
      logKeyFile,
      validatorSet,
      tenants: [
        {
          id: "tenant-a",
          api_key_sha256: [sha256Hex(apiKey)],
          agent_ids: opts.agentIds ?? ["*"],
          keys: (opts.extraKeys ?? []).map((k) => ({ sha256: sha256Hex(k.key), agent_ids: k.agent_ids })),
          approvers: [{ id: "approver-a", api_key_sha256: [sha256Hex(approverKey)] }],
        },
        {
          id: "tenant-b",
          api_key_sha256: [sha256Hex(apiKey + "-b")],
          agent_ids: ["*"],
          approvers: [{ id: "approver-b", api_key_sha256: [sha256Hex(approverKey + "-b")] }],
        },
      ],
      auditors: [{ id: "auditor-1", api_key_sha256: [sha256Hex(auditorKey)] }],
      operators: [{ id: "operator-1", api_key_sha256: [sha256Hex(operatorKey)] }],
      quorumDeadlineMs: opts.deadlineMs ?? 3000,
      ...(opts.challengeTtlMs ? { challengeTtlMs: opts.challengeTtlMs } : {}),
      logLevel: "silent",
      ...(opts.settlement
        ? {
            settlement: {
              walletFiles: [{ file: agentWallet, tenant: "tenant-a", agent_ids: opts.walletAgentIds ?? ["*"] }],
              ...opts.settlement,
            },
          }
        : {}),
      ...opts.coordinatorConfig,
    },
  });
  const coordinator = launched.coordinator!;
  const validators = launched.validators;
  const addr = () => getAddressDecoder().decode(Signer.generate().signer.publicKey);
  const receiver = addr();
  const http = async (method: string, path: string, body: unknown, key: string | undefined) => {
    const res = await fetch(coordinator.url + path, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? null : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith("{") ? JSON.parse(text) : text };
  };
  return {
    url: coordinator.url,
    apiKey,
    auditorKey,
    operatorKey,
    approverKey,
    namespace,
    natsUrl: bus.url!,
    natsServer: bus.server,
    db,
    store,
    dir,
    validatorSet,
    keys,
    logKeyFile,
    busKey,
    auditorSigningKeyFile,
    vkey: coordinator.vkey,
    coordinator,
    validators,
    payment: (o = {}) => ({
      idempotency_key: `k-${randomBytes(6).toString("hex")}`,
      agent_id: "agent-7",
      sender,
      receiver,
      amount: "12.50",
      currency: "USDC",
      debug_mode: true,
      trace_context: { purpose: "pay invoice 7781", steps: ["read invoice"] },
      func_stack_hashes: [AUDITED_HASH],
      metadata: { country_code: "DE" },
      ...o,
    }),
    post: (body, key = apiKey) => http("POST", "/v1/payments", body, key),
    respond: (paymentId, body, key = apiKey) => http("POST", `/v1/payments/${paymentId}/challenge-response`, body, key),
    get: (path, key = apiKey) => http("GET", path, undefined, key),
    request: (method, path, body, key = apiKey) => http(method, path, body, key),
    async stop() {
      await launched.stop();
      await db.close().catch(() => {});
      await store.drop();
      if (bus.url && !bus.server) await dropStreams(bus.url, namespace);
      await bus.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
