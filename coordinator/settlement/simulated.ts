/** Settlement for debug-mode payments: nothing touches a chain; the result is marked simulated. */
import { sha256Hex, type Settlement } from "../../protocol/index.ts";

export function simulateSettlement(paymentId: string, digest: string, now: Date): Settlement {
  return {
    network: "simulated",
    transaction_hash: sha256Hex(`sentineliq.simulated.v1\n${paymentId}\n${digest}`),
    settled_at: now.toISOString(),
  };
}
