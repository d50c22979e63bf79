/** Re-checks a logged event decision: its verdicts' signatures and the decision recomputed from them. */
import type { Verifier } from "../crypto.ts";
import { decideEventQuorum, verifyEventVerdict } from "../events.ts";
import type { EntryProblemCode } from "../errors.ts";
import { EventDecision } from "../schemas/event.ts";

/** What is wrong with an entry: a code and the facts, for the verifier to name with the entry's index. */
export type EntryProblem = [EntryProblemCode, string];

export function checkEventEntry(json: unknown, validators: ReadonlyMap<string, Verifier>): EntryProblem | null {
  const parsed = EventDecision.safeParse(json);
  if (!parsed.success) return ["BAD_ENTRY", `entry is not an event decision: ${parsed.error.issues[0]?.message}`];
  const d = parsed.data;
  const seen = new Set<string>();
  for (const sv of d.verdicts) {
    const v = sv.verdict;
    const verifier = validators.get(v.validator_id);
    if (!verifier) return ["BAD_VERDICT", `event verdict from ${v.validator_id}, which is not in the validator set`];
    if (seen.has(v.validator_id)) return ["BAD_VERDICT", `two event verdicts from ${v.validator_id}`];
    seen.add(v.validator_id);
    if (v.event_ref !== d.event_ref || v.event_digest !== d.event_digest)
      return ["BAD_VERDICT", `verdict from ${v.validator_id} is for another event`];
    if (!verifyEventVerdict(verifier, sv))
      return ["BAD_VERDICT", `signature of ${v.validator_id}'s event verdict does not verify`];
  }
  const again = decideEventQuorum(d.policy, d.verdicts, true);
  if (
    !again ||
    again.risk_level !== d.risk_level ||
    again.decision !== d.decision ||
    again.outcome !== d.outcome ||
    again.score !== d.score
  ) {
    return [
      "DECISION_MISMATCH",
      `the event verdicts do not lead to ${d.decision}/${d.risk_level} under policy ${d.policy.name}`,
    ];
  }
  return null;
}
