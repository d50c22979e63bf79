/**
 * A settlement order: what the coordinator hands the settler for each approved
 * payment, on the settlements stream. It carries everything the settler needs,
 * so the settler never reads the payment request back.
 */
import { z } from "zod";
import { Address, Amount, Currency, Hex64, Id, IsoTime } from "./fields.ts";
import { TypeTags } from "../tags.ts";
import { safeJson } from "./safe.ts";

export const SettlementOrder = safeJson(
  z
    .object({
      type: z.literal(TypeTags.settle),
      payment_id: Id,
      tenant_id: z.string().min(1),
      /** The agent whose payment it is (custody wallets are bound to agents). */
      agent_id: Id.optional(),
      payment_digest: Hex64,
      sender: Address,
      receiver: Address,
      amount: Amount,
      currency: Currency,
      debug_mode: z.boolean(),
      approved_at: IsoTime,
    })
    .strict(),
);
export type SettlementOrder = z.infer<typeof SettlementOrder>;

/** The settler's final word on one payment (also what `onSettled` receives). */
export const SettlementOutcome = z.object({
  payment_id: Id,
  status: z.enum(["settled", "failed"]),
  settlement: z.object({
    network: z.enum(["simulated", "solana"]),
    transaction_hash: z.string().optional(),
    settled_at: IsoTime.optional(),
  }),
  error_details: z.object({ code: z.string(), message: z.string() }).catchall(z.unknown()).optional(),
});
export type SettlementOutcome = z.infer<typeof SettlementOutcome>;

/** The msgId that de-duplicates an order on the bus. */
export function settlementMsgId(paymentId: string): string {
  return `settle:${paymentId}`;
}
