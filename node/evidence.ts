/**
 * Judging a challenge answer (pure). Which kinds of evidence does the agent's
 * answer satisfy? Proof of purpose must name a reference that its own
 * reasoning (trace_context, recorded at submission, before the challenge)
 * already mentioned as a whole token, so an agent cannot invent a purpose
 * after the fact, nor pass with a fragment every trace holds (`{"`, `in`).
 * A step-up is confirmed by an approver of the organisation: the coordinator
 * refuses `confirmed` from an agent's key and sets it only on an approval.
 */
import type { ChallengeKind, EvaluationTask } from "../protocol/index.ts";

const text = (v: unknown): string => (typeof v === "string" ? v.trim() : "");

/** A reference names an invoice or order: 3 to 64 characters of letters, digits and - _ / # ., with a digit. */
const REFERENCE = /^(?=.*\p{Nd})[\p{L}\p{N}][\p{L}\p{N}\-_/#.]{1,62}[\p{L}\p{N}]$/u;
/** What separates tokens in the trace's text: anything but letters, digits and - _ / # . */
const SEPARATOR = /[^\p{L}\p{N}\-_/#.]+/u;

/** The whole tokens of every string in the trace (keys and JSON punctuation are not text), lower-cased. */
export function traceTokens(trace: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 64) return out;
  if (typeof trace === "string") {
    for (const raw of trace.toLowerCase().split(SEPARATOR)) {
      const token = raw.replace(/^[-_/#.]+|[-_/#.]+$/g, "");
      if (token) out.add(token);
    }
  } else if (Array.isArray(trace)) for (const v of trace) traceTokens(v, out, depth + 1);
  else if (trace !== null && typeof trace === "object")
    for (const v of Object.values(trace)) traceTokens(v, out, depth + 1);
  return out;
}

/** Whether `reference` is a reference the trace named, as a whole token. */
export function tracedReference(trace: unknown, reference: string): boolean {
  return REFERENCE.test(reference) && traceTokens(trace).has(reference.toLowerCase());
}

export function satisfiedKinds(task: EvaluationTask): ChallengeKind[] {
  const e = task.evidence;
  if (!e) return [];
  const out: ChallengeKind[] = [];
  if (text(e.purpose).length >= 8 && tracedReference(task.payment.trace_context, text(e.reference)))
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
