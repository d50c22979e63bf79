/**
 * Agent ids a key or a custody wallet is bound to: exact ids, or a prefix
 * ending in `*` ("fleet-*"; "*" alone: any agent of the tenant).
 */
import { z } from "zod";

export const AgentPattern = z
  .string()
  .regex(/^(?:\*|[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}\*?)$/, "an agent id, or a prefix ending in *");
export const AgentPatterns = z.array(AgentPattern).min(1);

/** Whether something bound to these agent ids may act for `agentId` (pure). */
export function mayActFor(agentIds: readonly string[], agentId: string): boolean {
  return agentIds.some((p) => (p.endsWith("*") ? agentId.startsWith(p.slice(0, -1)) : p === agentId));
}
