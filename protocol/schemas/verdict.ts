/** Evaluation task (coordinator → validators) and signed verdict (validator → coordinator). */
import { z } from "zod";
import { canonicalBytes, sha256Hex, type CanonicalBytes } from "../canonical.ts";
import { Base64, Hex64, Id, IsoTime, Reason, RiskLevel, ValidatorId } from "./fields.ts";
import { PaymentRequest } from "./payment.ts";
import { TypeTags } from "../tags.ts";

/** What a challenge asks the agent for (the challenge loop itself is the coordinator's). */
export const ChallengeKinds = ["proof_of_purpose", "logs", "metadata", "step_up"] as const;
export const ChallengeKind = z.enum(ChallengeKinds);
export type ChallengeKind = z.infer<typeof ChallengeKind>;

/** An agent's answer to a challenge, as validators receive it with the next attempt. */
export const Evidence = z.record(z.string().max(64), z.unknown());
export type Evidence = z.infer<typeof Evidence>;

export const EvaluationTask = z.object({
  type: z.literal(TypeTags.task),
  payment_id: Id,
  attempt: z.number().int().min(1).max(100),
  tenant_id: Id,
  payment_digest: Hex64,
  payment: PaymentRequest,
  submitted_at: IsoTime,
  deadline_at: IsoTime,
  /**
   * The audit registry's bus revision when the task was made: a validator
   * scores only once its cached copy has caught up, so an approval or a
   * revocation answered before the payment was submitted always counts.
   */
  audit_revision: z.number().int().min(0).optional(),
  /** For a re-evaluation after a challenge: what was asked, and the agent's answer. */
  challenge: z.object({ challenge_id: z.string(), kind: ChallengeKind, nonce: z.string() }).optional(),
  evidence: Evidence.optional(),
  /** Only these validators are asked (a committee, or the rest of the set after one); absent: everyone. */
  members: z.array(z.string()).min(1).optional(),
});
export type EvaluationTask = z.infer<typeof EvaluationTask>;

/** A candidate pack's opinion, signed with the verdict and logged with it, never counted. */
export const ShadowOpinion = z
  .object({
    rule_pack: Hex64,
    risk_level: RiskLevel,
    score: z.number().int().min(0).max(100),
    reasons: z.array(Reason).max(64),
  })
  .strict();
export type ShadowOpinion = z.infer<typeof ShadowOpinion>;

/** What every validator opinion holds, whatever it judges (a payment here, an event in event.ts). */
export const opinionFields = {
  validator_id: ValidatorId,
  risk_level: RiskLevel,
  score: z.number().int().min(0).max(100),
  reasons: z.array(Reason).max(64),
  rule_pack: Hex64,
  evaluated_at: IsoTime,
  /** Kinds of evidence the rules that fired want, when the level calls for a challenge. */
  challenge_kinds: z.array(ChallengeKind).min(1).max(4).optional(),
};

export const Verdict = z
  .object({
    type: z.literal(TypeTags.verdict),
    payment_id: Id,
    attempt: z.number().int().min(1).max(100),
    payment_digest: Hex64,
    ...opinionFields,
    shadow: ShadowOpinion.optional(),
    /** SHA-256 of the JCS evidence judged (re-evaluations after a challenge). */
    evidence_digest: Hex64.optional(),
  })
  .strict();
export type Verdict = z.infer<typeof Verdict>;

/**
 * A verdict with its validator's signature. Alone, the signature covers the
 * verdict's JCS bytes. In a batch (a validator signing everything it decided in
 * one turn), it covers the batch head, and `batch` proves the verdict's leaf is
 * in that head's RFC 6962 tree: each verdict still verifies on its own.
 */
export const VerdictBatchProof = z
  .object({
    size: z.number().int().min(2).max(65536),
    index: z.number().int().min(0),
    path: z.array(Hex64).max(16),
  })
  .strict();
export type VerdictBatchProof = z.infer<typeof VerdictBatchProof>;

export const SignedVerdict = z
  .object({
    verdict: Verdict,
    signature: Base64.length(88),
    batch: VerdictBatchProof.optional(),
  })
  .strict();
export type SignedVerdict = z.infer<typeof SignedVerdict>;

/** The digest that binds verdicts to one exact payment request. */
export function paymentDigest(paymentId: string, tenantId: string, request: PaymentRequest): string {
  return sha256Hex(canonicalBytes({ type: TypeTags.payment, payment_id: paymentId, tenant_id: tenantId, request }));
}

export function verdictBytes(verdict: Verdict): CanonicalBytes {
  return canonicalBytes(verdict);
}
