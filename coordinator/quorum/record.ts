/** The log record of a quorum decision, built from what the aggregator observed (pure). */
import type { QuorumDecision, QuorumResult, SignedVerdict } from "../../protocol/index.ts";
import type { Evaluation, Observed } from "./aggregator.ts";

const byValidator = (a: SignedVerdict, b: SignedVerdict) => (a.verdict.validator_id < b.verdict.validator_id ? -1 : 1);

export function decisionRecord(e: Evaluation, result: QuorumResult, o: Observed, now: Date): QuorumDecision {
  return {
    type: "sentineliq.decision.v1",
    payment_id: e.payment_id,
    payment_digest: e.digest,
    attempt: e.attempt,
    outcome: result.outcome,
    decision: result.decision,
    risk_level: result.risk_level,
    score: result.score,
    reasons: result.reasons,
    policy: e.policy,
    verdicts: [...o.verdicts].sort(byValidator),
    dissent: result.dissent,
    absent: o.absent,
    rejected: o.rejected,
    equivocations: o.equivocations,
    ...(o.excludedVerdicts.length > 0 ? { excluded_verdicts: [...o.excludedVerdicts].sort(byValidator) } : {}),
    decided_at: now.toISOString(),
  };
}
