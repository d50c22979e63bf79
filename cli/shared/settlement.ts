/**
 * The `settlement` part of the coordinator's config, from `--settlement` and
 * the SOLANA_* environment (read in env.ts): litesvm funds the demo agent's
 * wallet; rpc needs SOLANA_RPC_URL and SOLANA_PAYER_KEYPAIR.
 */
import { resolve } from "node:path";
import type { Env } from "./env.ts";

export const BACKENDS = ["none", "litesvm", "rpc"] as const;
export type Backend = (typeof BACKENDS)[number];

/** A custody wallet's keypair file and who may spend it. */
export interface BoundWallet {
  file: string;
  tenant: string;
  agent_ids: string[];
}

/** What `sentineliq dev --settlement <backend>` gives the coordinator. */
export function devSettlement(backend: Backend, agentWallet: BoundWallet, env: Env): Record<string, unknown> {
  if (backend === "litesvm")
    return { backend, walletFiles: [agentWallet], fundWallets: { sol: "100", tokens: "100000" } };
  if (backend === "rpc") return withEnv({ backend, walletFiles: [agentWallet] }, env);
  return { backend };
}

/** SOLANA_RPC_URL, SOLANA_PAYER_KEYPAIR and SOLANA_COMMITMENT override a config file's settlement section. */
export function withEnv(settlement: Record<string, unknown> | undefined, env: Env): Record<string, unknown> {
  const s = { ...(settlement ?? {}) };
  if (env.solanaRpcUrl) s.rpcUrl = env.solanaRpcUrl;
  if (env.solanaPayerKeypair) s.payerKeyFile = resolve(env.solanaPayerKeypair);
  if (env.solanaCommitment) s.commitment = env.solanaCommitment;
  return s;
}
