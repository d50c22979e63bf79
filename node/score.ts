/** The validator's decision, as a pure function: a task and a pack in, an unsigned verdict out. */
import type { EvaluationTask, Verdict } from "../protocol/index.ts";
import { paymentFacts, type CompiledPack } from "../rules/index.ts";

export function scoreTask(task: EvaluationTask, pack: CompiledPack, validatorId: string, now: Date): Verdict {
  const result = pack.evaluate(paymentFacts(task.payment));
  return {
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
}

/** A task whose deadline has passed gets no vote: the coordinator has already decided. */
export function isStale(task: EvaluationTask, now: Date): boolean {
  return Date.parse(task.deadline_at) < now.getTime();
}
