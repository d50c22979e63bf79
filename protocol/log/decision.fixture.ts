/** For tests: a quorum decision as the aggregator writes it, built from signed verdicts. */
import { decideQuorum } from "../quorum.ts";
import type { QuorumDecision, QuorumPolicy } from "../schemas/decision.ts";
import { TypeTags } from "../tags.ts";
import type { SignedVerdict } from "../schemas/verdict.ts";

export function decisionOf(
  policy: QuorumPolicy,
  verdicts: SignedVerdict[],
  payment: { payment_id: string; payment_digest: string },
  extra: Partial<QuorumDecision> = {},
): QuorumDecision {
  const r = decideQuorum(policy, verdicts, true)!;
  return {
    type: TypeTags.decision,
    ...payment,
    attempt: 1,
    outcome: r.outcome,
    decision: r.decision,
    risk_level: r.risk_level,
    score: r.score,
    reasons: r.reasons,
    policy,
    verdicts,
    dissent: r.dissent,
    absent: [],
    rejected: [],
    equivocations: [],
    decided_at: "2026-01-01T00:00:01.000Z",
    ...extra,
  };
}
