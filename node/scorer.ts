/**
 * The validator's decision, as pure-ish functions over its state: a task in,
 * an unsigned verdict out. State is enriched once per observation (by id), the
 * pack in effect at the task's receipt time scores it, and a shadow pack, when
 * the node runs one, gives its opinion alongside without being counted.
 */
import {
  canonicalBytes,
  sha256Hex,
  type EvaluationTask,
  type EventTask,
  type EventVerdict,
  type ShadowOpinion,
  type Verdict,
} from "../protocol/index.ts";
import { eventFacts, paymentFacts, type CompiledPack, type Evaluation, type Facts } from "../rules/index.ts";
import { satisfiedKinds } from "./evidence.ts";
import type { PackSchedule } from "./packs.ts";
import type { ValidatorState } from "./state/state.ts";

export interface ScorerComponents {
  state: ValidatorState;
  packs: PackSchedule;
  shadow?: PackSchedule | undefined;
}

interface Scored {
  pack: CompiledPack;
  result: Evaluation;
  shadow?: ShadowOpinion;
}

export function scoreFacts(c: ScorerComponents, facts: Facts): Scored {
  const time = facts.time as number;
  const pack = c.packs.at(time);
  const shadow = c.shadow?.at(time);
  const specs = shadow ? [pack.velocity, shadow.velocity] : [pack.velocity];
  const [own, theirs] = c.state.enrich(facts, specs, [...c.packs.specs(), ...(c.shadow?.specs() ?? [])]);
  const result = pack.evaluate({ ...facts, velocity: own });
  if (!shadow) return { pack, result };
  const s = shadow.evaluate({ ...facts, velocity: theirs });
  return {
    pack,
    result,
    shadow: { rule_pack: shadow.hash, risk_level: s.risk_level, score: s.score, reasons: s.reasons },
  };
}

/** A payment as rules read it. Its time is its first submission's, so every attempt sees the same history. */
export function taskFacts(task: EvaluationTask): Facts {
  const facts = paymentFacts(task.payment, {
    tenant_id: task.tenant_id,
    id: task.payment_id,
    time: Date.parse(task.submitted_at),
  });
  // After a challenge: what was asked, which kinds the agent's evidence satisfies, and the attempt.
  facts.challenge = { kind: task.challenge?.kind ?? null, satisfied: satisfiedKinds(task), attempt: task.attempt };
  return facts;
}

/** Counts a payment in the node's state without judging it (another committee's, or stale). */
export function observePayment(c: ScorerComponents, task: EvaluationTask): void {
  scoreFacts(c, taskFacts(task));
}

export function scorePayment(c: ScorerComponents, task: EvaluationTask, validatorId: string, now: Date): Verdict {
  const facts = taskFacts(task);
  const { pack, result, shadow } = scoreFacts(c, facts);
  const verdict: Verdict = {
    type: "sentineliq.verdict.v1",
    payment_id: task.payment_id,
    attempt: task.attempt,
    payment_digest: task.payment_digest,
    validator_id: validatorId,
    risk_level: result.risk_level,
    score: result.score,
    reasons: result.reasons.slice(0, 64),
    rule_pack: pack.hash,
    evaluated_at: now.toISOString(),
  };
  if (result.challenge_kinds) verdict.challenge_kinds = result.challenge_kinds.slice(0, 4);
  if (shadow) verdict.shadow = { ...shadow, reasons: shadow.reasons.slice(0, 64) };
  if (task.evidence) verdict.evidence_digest = sha256Hex(canonicalBytes(task.evidence));
  return verdict;
}

export function scoreEvent(c: ScorerComponents, task: EventTask, validatorId: string, now: Date): EventVerdict {
  const facts = eventFacts(task.event, {
    tenant_id: task.tenant_id,
    id: task.event_ref,
    time: Date.parse(task.received_at),
  });
  const { pack, result } = scoreFacts(c, facts);
  const verdict: EventVerdict = {
    type: "sentineliq.event_verdict.v1",
    event_ref: task.event_ref,
    event_digest: task.event_digest,
    validator_id: validatorId,
    risk_level: result.risk_level,
    score: result.score,
    reasons: result.reasons.slice(0, 64),
    rule_pack: pack.hash,
    evaluated_at: now.toISOString(),
  };
  if (result.challenge_kinds) verdict.challenge_kinds = result.challenge_kinds.slice(0, 4);
  return verdict;
}
