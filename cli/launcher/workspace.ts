/**
 * The dev workspace, ./.sentineliq/: keys, the validator set, the
 * coordinator's config and the dev credentials. Made once and reused, so the
 * log stays verifiable across restarts.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { getAddressDecoder } from "@solana/kit";
import { z } from "zod";
import { busKeyFileOf } from "../../coordinator/index.ts";
import { ensureKeypairFile } from "../../coordinator/settlement/index.ts";
import {
  ensureKeyFile,
  generateKeyFile,
  loadKeyFile,
  verifierKey,
  sha256Hex,
  Signer,
  type PaymentRequest,
  type ValidatorSetInput,
} from "../../protocol/index.ts";

export interface Workspace {
  dir: string;
  keyFile(id: string): string;
  logKeyFile: string;
  networkFile: string;
  coordinatorFile: string;
  credentialsFile: string;
  /** `sentineliq dev`'s running parts: [{ name, pid, url?, metrics_url?, witness_url?, log? }]. */
  processesFile: string;
  pgDir: string;
  logsDir: string;
  apiKey: string;
  /** The tAudit auditor's key: approves and revokes code hashes, distinct from every agent key. */
  auditorKey: string;
  /** The operator's key: lists validators and reinstates excluded ones. */
  operatorKey: string;
  /** An approver's key: a person of the dev organisation who confirms or declines step-ups. */
  approverKey: string;
  /** The dev organisation's owner account (`sentineliq dev` makes it). */
  ownerEmail: string;
  ownerPassword: string;
  validatorSet: ValidatorSetInput;
  addresses: { agent: string; merchant: string };
  /** The demo agent's Solana keypair (the settler's custody wallet under --settlement). */
  agentWalletFile: string;
}

/** The workspace's own secrets (secrets.json): the agent key, the demo addresses, the auditor key. */
const Secrets = z.object({
  api_key: z.string().min(1),
  agent: z.string().min(1),
  merchant: z.string().min(1),
  auditor_key: z.string().min(1).optional(),
  operator_key: z.string().min(1).optional(),
  approver_key: z.string().min(1).optional(),
  owner_email: z.string().min(3).optional(),
  owner_password: z.string().min(12).optional(),
});
type Secrets = z.infer<typeof Secrets>;

export const EXAMPLE_FUNC_HASH = "e57eb157d61a56f8d32a82fa47d04e96e531734430c80f6cb6b38d49137429f0";

export function prepareWorkspace(root: string, validators: number): Workspace {
  const dir = resolve(root);
  for (const d of [dir, join(dir, "keys"), join(dir, "logs")]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const keyFile = (id: string) => join(dir, "keys", `${id}.json`);
  const ensureKey = (id: string) =>
    existsSync(keyFile(id)) ? loadKeyFile(keyFile(id)) : generateKeyFile(keyFile(id), id);

  const ids = Array.from({ length: validators }, (_, i) => `v${i + 1}`);
  const validatorSet: ValidatorSetInput = {
    validators: ids.map((id) => ({ id, public_key: ensureKey(id).publicKeyHex, weight: 1, committees: [] })),
    quorum: { approve: "byzantine", escalate: "f+1", reject: "f+1" },
  };
  ensureKey("log");

  const secretsFile = join(dir, "secrets.json");
  let secrets: Secrets;
  if (existsSync(secretsFile)) secrets = Secrets.parse(JSON.parse(readFileSync(secretsFile, "utf8")));
  else {
    const addr = () => getAddressDecoder().decode(Signer.generate().signer.publicKey);
    secrets = { api_key: `siq_dev_${randomBytes(24).toString("hex")}`, agent: addr(), merchant: addr() };
  }
  if (!secrets.auditor_key || !secrets.operator_key || !secrets.approver_key || !secrets.owner_password) {
    // Workspaces made before tAudit (or operators, approvers, accounts) get the missing secrets on their next start.
    secrets.auditor_key ??= `siq_auditor_${randomBytes(24).toString("hex")}`;
    secrets.operator_key ??= `siq_operator_${randomBytes(24).toString("hex")}`;
    secrets.approver_key ??= `siq_approver_${randomBytes(24).toString("hex")}`;
    secrets.owner_email ??= "owner@sentineliq.local";
    secrets.owner_password ??= randomBytes(15).toString("base64url");
    writeFileSync(secretsFile, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
  }
  // The agent's address is a real Solana keypair, so live payments can be signed and settled.
  const agentWalletFile = join(dir, "keys", "wallets", "agent.json");
  const agent = ensureKeypairFile(agentWalletFile);
  const networkFile = join(dir, "network.json");
  writeFileSync(networkFile, JSON.stringify(validatorSet, null, 2) + "\n");
  return {
    dir,
    keyFile,
    logKeyFile: keyFile("log"),
    networkFile,
    coordinatorFile: join(dir, "coordinator.json"),
    credentialsFile: join(dir, "dev-credentials.json"),
    processesFile: join(dir, "processes.json"),
    pgDir: join(dir, "pgdata"),
    logsDir: join(dir, "logs"),
    apiKey: secrets.api_key,
    auditorKey: secrets.auditor_key,
    operatorKey: secrets.operator_key,
    approverKey: secrets.approver_key,
    ownerEmail: secrets.owner_email ?? "owner@sentineliq.local",
    ownerPassword: secrets.owner_password,
    validatorSet,
    addresses: { agent, merchant: secrets.merchant },
    agentWalletFile,
  };
}

export function apiKeyHash(apiKey: string): string {
  return sha256Hex(apiKey);
}

/**
 * The agent ids the workspace's API key is issued for: the example agent's, and `agent-*` (the example
 * payment's agent-42 and the demo agents the seed threats pay as). Any other agent id is a 403.
 */
export const DEV_AGENT_IDS = ["agent-*", "example-agent"] as const;

/** The workspace's organisation: its agent key (bound to the dev agents) and its approver. */
export function devTenant(ws: Workspace, id: string) {
  return {
    id,
    keys: [{ sha256: apiKeyHash(ws.apiKey), agent_ids: [...DEV_AGENT_IDS] }],
    approvers: [{ id: "dev-approver", api_key_sha256: [apiKeyHash(ws.approverKey)] }],
  };
}

/** A request body the default rules decide LOW. */
export function examplePayment(ws: Workspace, idempotencyKey = "example-order-1"): PaymentRequest {
  return {
    idempotency_key: idempotencyKey,
    agent_id: "agent-42",
    sender: ws.addresses.agent,
    receiver: ws.addresses.merchant,
    amount: "12.50",
    currency: "USDC",
    debug_mode: true,
    trace_context: {
      purpose: "pay invoice 7781",
      steps: ["fetched invoice 7781", "checked budget", "paying merchant"],
    },
    func_stack_hashes: [EXAMPLE_FUNC_HASH],
    metadata: { country_code: "DE" },
  };
}

/**
 * An operator's network folder (what `sentineliq keys init` and docker-compose use):
 * the dev workspace plus a coordinator.json whose bus and store come from the environment.
 */
export function initNetwork(dir: string, validators: number, origin: string): Workspace {
  const ws = prepareWorkspace(dir, validators);
  // The coordinator signs what it puts on the bus; validators verify with this public key (`--coordinator-key`).
  const busKeyFile = busKeyFileOf({ logKeyFile: ws.logKeyFile });
  writeFileSync(join(dir, "coordinator-bus.pub"), ensureKeyFile(busKeyFile, "coordinator-bus").publicKeyHex + "\n");
  const config = {
    host: "0.0.0.0",
    port: 8080,
    natsUrl: "nats://127.0.0.1:4222",
    namespace: "siq",
    databaseUrl: ws.pgDir,
    logKeyFile: ws.logKeyFile,
    busKeyFile: busKeyFile,
    logOrigin: origin,
    validatorSetFile: ws.networkFile,
    tenants: [devTenant(ws, "default")],
    auditors: [{ id: "auditor", api_key_sha256: [apiKeyHash(ws.auditorKey)] }],
    operators: [{ id: "operator", api_key_sha256: [apiKeyHash(ws.operatorKey)] }],
  };
  writeFileSync(ws.coordinatorFile, JSON.stringify(config, null, 2) + "\n");
  writeFileSync(
    join(dir, "credentials.json"),
    JSON.stringify(
      { api_key: ws.apiKey, auditor_key: ws.auditorKey, operator_key: ws.operatorKey, approver_key: ws.approverKey },
      null,
      2,
    ) + "\n",
    { mode: 0o600 },
  );
  // The log's verifier key, for validators to witness the log (`sentineliq node --log-vkey <this file>`) and for auditors.
  writeFileSync(join(dir, "log.vkey"), verifierKey(origin, loadKeyFile(ws.logKeyFile).signer.publicKey) + "\n");
  return ws;
}
