/**
 * Re-checks a logged payment decision and logged equivocation evidence: every
 * verdict's signature against the validator set, and the decision recomputed
 * from its verdicts under the recorded policy.
 */
import { canonicalString } from "../canonical.ts";
import type { Verifier } from "../crypto.ts";
import { decideQuorum } from "../quorum.ts";
import { EquivocationRecord, QuorumDecision } from "../schemas/decision.ts";
import type { SignedVerdict } from "../schemas/verdict.ts";
import { verifyVerdict } from "../verdicts.ts";
import type { EntryProblem } from "./verify-event.ts";

type Validators = ReadonlyMap<string, Verifier>;
type Evidence = { validator_id: string; verdicts: [SignedVerdict, SignedVerdict] };

/** Two different verdicts for this payment attempt, both signed by the accused validator. */
export function equivocationHolds(validators: Validators, e: Evidence, paymentId: string, attempt: number): boolean {
  const verifier = validators.get(e.validator_id);
  const [a, b] = e.verdicts;
  const theirs = (x: SignedVerdict) =>
    x.verdict.validator_id === e.validator_id && x.verdict.payment_id === paymentId && x.verdict.attempt === attempt;
  return (
    verifier !== undefined &&
    theirs(a) &&
    theirs(b) &&
    verifyVerdict(verifier, a) &&
    verifyVerdict(verifier, b) &&
    canonicalString(a.verdict) !== canonicalString(b.verdict)
  );
}

const weak = (e: Evidence): EntryProblem => [
  "BAD_VERDICT",
  `equivocation evidence against ${e.validator_id} does not hold up`,
];

/** An equivocation caught after its payment was decided. */
export function checkEquivocationEntry(json: unknown, validators: Validators): EntryProblem | { payment_id: string } {
  const r = EquivocationRecord.safeParse(json);
  if (!r.success) return ["BAD_ENTRY", `malformed equivocation record: ${r.error.issues[0]?.message}`];
  if (!equivocationHolds(validators, r.data, r.data.payment_id, r.data.attempt)) return weak(r.data);
  return { payment_id: r.data.payment_id };
}

function countedProblem(d: QuorumDecision, validators: Validators): EntryProblem | null {
  const seen = new Set<string>();
  for (const sv of d.verdicts) {
    const v = sv.verdict;
    const verifier = validators.get(v.validator_id);
    if (!verifier) return ["BAD_VERDICT", `verdict from ${v.validator_id}, which is not in the validator set`];
    if (seen.has(v.validator_id)) return ["BAD_VERDICT", `two verdicts from ${v.validator_id}`];
    seen.add(v.validator_id);
    if (v.payment_id !== d.payment_id || v.payment_digest !== d.payment_digest || v.attempt !== d.attempt)
      return ["BAD_VERDICT", `verdict from ${v.validator_id} is for another payment or attempt`];
    if (!verifyVerdict(verifier, sv))
      return ["BAD_VERDICT", `signature of ${v.validator_id}'s verdict does not verify`];
  }
  for (const e of d.equivocations) {
    if (!equivocationHolds(validators, e, d.payment_id, d.attempt)) return weak(e);
    if (seen.has(e.validator_id)) return ["BAD_VERDICT", `equivocating ${e.validator_id} was also counted`];
  }
  return null;
}

/** A quorum decision: its verdicts and evidence hold up, and they lead to the decision it records. */
export function checkDecisionEntry(json: unknown, validators: Validators): EntryProblem | { payment_id: string } {
  const parsed = QuorumDecision.safeParse(json);
  if (!parsed.success) return ["BAD_ENTRY", `entry is not a valid decision: ${parsed.error.issues[0]?.message}`];
  const d = parsed.data;
  const problem = countedProblem(d, validators);
  if (problem) return problem;
  const again = decideQuorum(d.policy, d.verdicts, true);
  if (!again || again.risk_level !== d.risk_level || again.decision !== d.decision || again.outcome !== d.outcome)
    return [
      "DECISION_MISMATCH",
      `the verdicts do not lead to ${d.decision}/${d.risk_level} under policy ${d.policy.name}`,
    ];
  return { payment_id: d.payment_id };
}
