/** The quorum decision, which is also the verdict log's entry. */
import { z } from "zod";
import { canonicalBytes, type CanonicalBytes } from "../canonical.ts";
import { VerdictRejectionCode } from "../errors.ts";
import { Decision, Hex64, Id, IsoTime, RiskLevel } from "./fields.ts";
import { ReasonSummary } from "./payment.ts";
import { SignedVerdict } from "./verdict.ts";
import { TypeTags } from "../tags.ts";

/** The policy a decision was taken under, recorded with it so it can be recomputed. */
export const QuorumPolicy = z.object({
  name: z.string(),
  /** Validators in the set, faults tolerated. */
  n: z.number().int().min(1),
  f: z.number().int().min(0),
  /** Verdicts needed: LOW to approve, MEDIUM+ to challenge, CRITICAL (evidenced) to reject. */
  approve: z.number().int().min(1),
  escalate: z.number().int().min(1),
  reject: z.number().int().min(1),
  /** What a payment gets when no quorum forms: never approval. */
  fail_closed: z.enum(["challenge", "reject"]),
  /** Who was asked to vote (the committee for this tier, or the whole set). */
  members: z.array(z.string()).min(1),
  /** Voting weights at the time (reputation moves them within bounds). */
  weights: z.record(z.string(), z.number().positive()),
  /** The pre-screen's tier, when tiers are in use. */
  tier: z.enum(["easy", "medium", "hard"]).optional(),
  /**
   * Validators excluded for equivocation evidence when the decision was taken (their verdicts are logged in
   * `excluded_verdicts`, never counted), and how many exclusions and reinstatements the log held by then.
   * Absent in entries written before exclusion existed (read as none, epoch 0).
   */
  excluded: z.array(z.string()).optional(),
  exclusion_epoch: z.number().int().min(0).optional(),
});
export type QuorumPolicy = z.infer<typeof QuorumPolicy>;

/** `unsafe`: too few validators are left once the excluded are set aside; the payment fails closed at once. */
export const QuorumOutcomes = ["agreed", "no_agreement", "timeout", "unsafe"] as const;

/** What every logged quorum decision records, a payment's or an event's (beside its verdicts). */
export const decidedFields = {
  outcome: z.enum(QuorumOutcomes),
  decision: Decision,
  risk_level: RiskLevel,
  score: z.number().min(0).max(100),
  reasons: z.array(ReasonSummary),
  policy: QuorumPolicy,
  /** Validators whose verdict disagreed with the decided level. */
  dissent: z.array(z.string()),
  decided_at: IsoTime,
};

export const QuorumDecision = z
  .object({
    type: z.literal(TypeTags.decision),
    payment_id: Id,
    payment_digest: Hex64,
    attempt: z.number().int().min(1),
    ...decidedFields,
    verdicts: z.array(SignedVerdict),
    /** Members that had not voted when the decision was taken. */
    absent: z.array(z.string()),
    /** Verdicts refused, and why (bad signature, wrong attempt, unknown key, ...): misbehaviour on record. */
    rejected: z.array(z.object({ validator_id: z.string(), code: VerdictRejectionCode })),
    /** Validators that signed two different verdicts for this attempt: both, as evidence; neither counted. */
    equivocations: z.array(z.object({ validator_id: z.string(), verdicts: z.tuple([SignedVerdict, SignedVerdict]) })),
    /** Verdicts of excluded validators (policy `excluded`): checked and logged, never counted. */
    excluded_verdicts: z.array(SignedVerdict).optional(),
  })
  .strict();
export type QuorumDecision = z.infer<typeof QuorumDecision>;

/** A log entry is the canonical bytes of a quorum decision (under 64 KiB). */
export const MAX_ENTRY_BYTES = 64 * 1024 - 1; // a tlog-tiles bundle entry has a 16-bit length

export function entryBytes(decision: QuorumDecision): CanonicalBytes {
  const bytes = canonicalBytes(decision);
  if (bytes.length > MAX_ENTRY_BYTES)
    throw new RangeError(`log entry is ${bytes.length} bytes, over ${MAX_ENTRY_BYTES}`);
  return bytes;
}

/** An equivocation caught after its payment was decided: the two signed verdicts, as evidence. */
export const EquivocationRecord = z
  .object({
    type: z.literal(TypeTags.equivocation),
    payment_id: Id,
    validator_id: z.string(),
    attempt: z.number().int().min(1),
    verdicts: z.tuple([SignedVerdict, SignedVerdict]),
    detected_at: IsoTime,
  })
  .strict();
export type EquivocationRecord = z.infer<typeof EquivocationRecord>;
