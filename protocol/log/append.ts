/**
 * What goes on the log stream (`siq.v1.log.append`): one entry to sequence,
 * under a key that makes it unique forever (a redelivered or re-published
 * message with a logged key is never logged again), and for a quorum
 * decision the payment outcome the sequencer applies in the same transaction.
 */
import { z } from "zod";
import { Base64, Decision, Id, IsoTime, RiskLevel } from "../schemas/fields.ts";
import { ErrorDetails, PaymentStatus, ReasonSummary, Settlement } from "../schemas/payment.ts";
import { readTag } from "../tags.ts";

/** The largest entry a tlog-tiles entry bundle can hold (16-bit length prefix). */
export const MAX_LOG_ENTRY_BYTES = 0xffff;

export const PaymentOutcome = z.object({
  payment_id: Id,
  status: PaymentStatus,
  risk_level: RiskLevel,
  decision: Decision,
  reasons: z.array(ReasonSummary),
  settlement: Settlement.nullable(),
  /** Why a rejected payment was rejected (`rejections.ts`). */
  error_details: ErrorDetails.optional(),
  decided_at: IsoTime,
});
export type PaymentOutcome = z.infer<typeof PaymentOutcome>;

export const LogAppend = z
  .object({
    type: readTag("log_append"),
    key: z.string().min(1).max(256),
    /** base64 of the exact entry bytes (JCS of an object with a `type`). */
    entry: Base64.max(Math.ceil(MAX_LOG_ENTRY_BYTES / 3) * 4),
    payment: PaymentOutcome.optional(),
    /** The payment another kind of record concerns (challenges, equivocations). */
    payment_id: Id.optional(),
  })
  .strict();
export type LogAppend = z.infer<typeof LogAppend>;

/** The dedup key of a quorum decision: one entry per payment attempt. */
export function decisionKey(paymentId: string, attempt: number): string {
  return `decision:${paymentId}:${attempt}`;
}
