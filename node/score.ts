/** The validator's decision, as a pure function: a task and a pack in, an unsigned verdict out. */
import { canonicalBytes, sha256Hex, type EvaluationTask, type Verdict } from "../protocol/index.ts";
import { paymentFacts, type CompiledPack } from "../rules/index.ts";
import { satisfiedKinds } from "./evidence.ts";

export function scoreTask(task: EvaluationTask, pack: CompiledPack, validatorId: string, now: Date): Verdict {
  const facts = paymentFacts(task.payment);
  // Rules read the challenge as facts: challenge.kind asked, challenge.satisfied kinds, challenge.attempt.
  facts.challenge = { kind: task.challenge?.kind ?? null, satisfied: satisfiedKinds(task), attempt: task.attempt };
  const result = pack.evaluate(facts);
  const verdict: Verdict = {
    type: "sentineliq.verdict.v1",
    payment_id: task.payment_id,
    attempt: task.attempt,
    payment_digest: task.payment_digest,
    validator_id: validatorId,
    risk_level: result.risk_level,
    score: result.score,
    reasons: result.reasons,
    rule_pack: pack.hash,
    evaluated_at: now.toISOString(),
  };
  if (task.evidence) verdict.evidence_digest = sha256Hex(canonicalBytes(task.evidence));
  return verdict;
}

/** A task whose deadline has passed gets no vote: the coordinator has already decided. */
export function isStale(task: EvaluationTask, now: Date): boolean {
  return Date.parse(task.deadline_at) < now.getTime();
}
