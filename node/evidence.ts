/**
 * Judging a challenge answer (pure). Which kinds of evidence does the agent's
 * answer satisfy? Proof of purpose must name a reference that its own
 * reasoning (trace_context, sent before the challenge) already mentioned, so
 * an agent cannot invent a purpose after the fact.
 */
import type { ChallengeKind, EvaluationTask } from "../protocol/index.ts";

const text = (v: unknown): string => (typeof v === "string" ? v.trim() : "");

export function satisfiedKinds(task: EvaluationTask): ChallengeKind[] {
  const e = task.evidence;
  if (!e) return [];
  const out: ChallengeKind[] = [];
  const trace = JSON.stringify(task.payment.trace_context).toLowerCase();
  const reference = text(e.reference);
  if (text(e.purpose).length >= 8 && reference.length >= 2 && trace.includes(reference.toLowerCase()))
    out.push("proof_of_purpose");
  if (Array.isArray(e.logs) && e.logs.length > 0 && e.logs.every((l) => typeof l === "string" && l.length > 0))
    out.push("logs");
  if (
    e.metadata !== null &&
    typeof e.metadata === "object" &&
    !Array.isArray(e.metadata) &&
    Object.keys(e.metadata).length > 0
  )
    out.push("metadata");
  if (e.confirmed === true && text(e.confirmed_by).length > 0) out.push("step_up");
  return out;
}
