/**
 * Custody wallets are bound to a tenant and its agents: a payment may name a
 * custody wallet as `sender` only if its agent may spend it. Checked at
 * submission (403) and again by the settler before it signs (pure parts here).
 */
import { z } from "zod";
import { AgentPatterns, mayActFor } from "../../lib/agent-ids.ts";
import { settlementFailure, type SettlementOrder, type SettlementOutcome } from "../../protocol/index.ts";

/** A custody wallet: its keypair file and who may spend it (a bare path: a wallet no one may spend). */
export const WalletFile = z.union([
  z.string().min(1),
  z.object({ file: z.string().min(1), tenant: z.string().min(1), agent_ids: AgentPatterns }).strict(),
]);
export type WalletFile = z.infer<typeof WalletFile>;

export interface WalletOwner {
  tenant: string;
  agent_ids: readonly string[];
}

/** Custody wallets by address, each with its owner (null: bound to no one). */
export type Custody = ReadonlyMap<string, WalletOwner | null>;

export const fileOf = (w: WalletFile): string => (typeof w === "string" ? w : w.file);
export const ownerOf = (w: WalletFile): WalletOwner | null =>
  typeof w === "string" ? null : { tenant: w.tenant, agent_ids: w.agent_ids };

/**
 * Whether this tenant's agent may name `sender`: an address the settler holds no key for is not
 * custody (it cannot be spent by the settler at all); a custody wallet needs its tenant and agent.
 */
export function mayDebit(custody: Custody, sender: string, tenant: string, agentId: string | undefined): boolean {
  if (!custody.has(sender)) return true;
  const owner = custody.get(sender);
  return !!owner && owner.tenant === tenant && agentId !== undefined && mayActFor(owner.agent_ids, agentId);
}

/** The settler's check before it signs: a failed outcome when the order's agent may not spend its sender. */
export function foreignWallet(order: SettlementOrder, custody: Custody): SettlementOutcome | undefined {
  if (mayDebit(custody, order.sender, order.tenant_id, order.agent_id)) return undefined;
  return {
    payment_id: order.payment_id,
    status: "failed",
    settlement: { network: order.debug_mode ? "simulated" : "solana" },
    error_details: settlementFailure("WALLET_NOT_ALLOWED", { sender: order.sender }),
  };
}
