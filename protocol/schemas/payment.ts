/** The payment request (HTTP edge) and the payment as the API shows it. */
import { z } from "zod";
import { safeJson } from "./safe.ts";
import { Address, Amount, CountryCode, Currency, Decision, Hex64, Id, IsoTime, Reason, RiskLevel } from "./fields.ts";

const JsonLimited = z.record(z.string().max(128), z.unknown());

export const TraceContext = z
  .object({
    purpose: z.string().max(2000).optional(),
    steps: z.array(z.string().max(2000)).max(100).optional(),
  })
  .catchall(z.unknown());

export const PaymentMetadata = z.object({ country_code: CountryCode.optional() }).catchall(z.unknown());

export const PaymentRequest = safeJson(
  z
    .object({
      idempotency_key: Id,
      agent_id: Id,
      sender: Address,
      receiver: Address,
      amount: Amount,
      currency: Currency,
      debug_mode: z.boolean(),
      trace_context: TraceContext,
      func_stack_hashes: z.array(Hex64).max(64),
      metadata: PaymentMetadata.optional(),
    })
    .strict(),
);
export type PaymentRequest = z.infer<typeof PaymentRequest>;

export const PaymentStatuses = [
  "pending",
  "evaluating",
  "challenged",
  "approved",
  "rejected",
  "settled",
  "failed",
] as const;
export const PaymentStatus = z.enum(PaymentStatuses);
export type PaymentStatus = z.infer<typeof PaymentStatus>;

export const ReasonSummary = Reason.extend({ validators: z.number().int().min(0) });
export type ReasonSummary = z.infer<typeof ReasonSummary>;

export const Settlement = z.object({
  network: z.enum(["simulated", "solana"]),
  transaction_hash: z.string().optional(),
  settled_at: IsoTime.optional(),
});
export type Settlement = z.infer<typeof Settlement>;

export const ErrorDetails = z.object({ code: z.string(), message: z.string() }).catchall(z.unknown());

export const ChallengeView = z.object({
  challenge_id: z.string(),
  kind: z.string(),
  requested: z.array(z.string()),
  nonce: z.string().optional(),
  expires_at: IsoTime,
  attempt: z.number().int().optional(),
});

/** What `POST /v1/payments` and `GET /v1/payments/:id` answer. */
export const PaymentView = z.object({
  payment_id: z.string(),
  idempotency_key: z.string(),
  agent_id: z.string(),
  status: PaymentStatus,
  risk_level: RiskLevel.optional(),
  decision: Decision.optional(),
  reasons: z.array(ReasonSummary),
  challenge: ChallengeView.optional(),
  settlement: Settlement.optional(),
  error_details: ErrorDetails.optional(),
  log_index: z.number().int().min(0).optional(),
  attempt: z.number().int().min(1).optional(),
  payment_digest: Hex64,
  created_at: IsoTime,
  decided_at: IsoTime.optional(),
  verdicts: z.array(z.unknown()).optional(),
});
export type PaymentView = z.infer<typeof PaymentView>;

export { JsonLimited };
