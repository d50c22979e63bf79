/**
 * Replays validator exclusions from the log, as an auditor would: each
 * `sentineliq.validator_status.v1` entry is the next epoch; an exclusion holds
 * up only with equivocation evidence signed by the validator; a reinstatement
 * only of an excluded validator. Every decision must record the excluded set
 * of the epoch it names (the current one, or the one before while an exclusion
 * was being logged) and must not count an excluded validator's verdict.
 */
import type { Verifier } from "../crypto.ts";
import type { QuorumDecision } from "../schemas/decision.ts";
import { ValidatorStatusRecord } from "../schemas/validators.ts";
import { verifyVerdict } from "../verdicts.ts";
import { equivocationHolds } from "./verify-decision.ts";
import type { EntryProblem } from "./verify-event.ts";

type Validators = ReadonlyMap<string, Verifier>;

/** What a decision, a payment's or an event's, says about who counted. */
export type Counted = Pick<QuorumDecision, "policy" | "excluded_verdicts"> & {
  payment_id?: string;
  verdicts: { verdict: { validator_id: string } }[];
};

/** Decisions may trail the log by this many epochs (taken while an exclusion was being appended). */
export const EPOCH_LAG = 1;

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

export class ExclusionReplay {
  /** The excluded set after each epoch; epoch 0 is the empty set. */
  readonly #history: string[][] = [[]];

  get epoch(): number {
    return this.#history.length - 1;
  }

  get excluded(): readonly string[] {
    return this.#history[this.epoch]!;
  }

  /** Checks one status entry and applies it. */
  push(json: unknown, validators: Validators): EntryProblem | { payment_id?: string } {
    const r = ValidatorStatusRecord.safeParse(json);
    if (!r.success) return ["BAD_ENTRY", `malformed validator status: ${r.error.issues[0]?.message}`];
    const e = r.data;
    if (e.epoch !== this.epoch + 1)
      return ["EXCLUSION_MISMATCH", `validator status epoch ${e.epoch}, but the log is at epoch ${this.epoch}`];
    const now = new Set(this.excluded);
    if (e.action === "exclude") {
      if (!validators.has(e.validator_id))
        return ["BAD_VERDICT", `${e.validator_id} is not in the validator set and cannot be excluded`];
      if (now.has(e.validator_id)) return ["EXCLUSION_MISMATCH", `${e.validator_id} is excluded already`];
      const ev = { validator_id: e.validator_id, verdicts: e.evidence.verdicts };
      if (!equivocationHolds(validators, ev, e.evidence.payment_id, e.evidence.attempt))
        return ["BAD_VERDICT", `equivocation evidence against ${e.validator_id} does not hold up`];
      now.add(e.validator_id);
    } else {
      if (!now.has(e.validator_id))
        return ["BAD_REINSTATEMENT", `${e.validator_id} is reinstated, but the log never excluded it (or did already)`];
      now.delete(e.validator_id);
    }
    const next = [...now].sort();
    if (!same(next, e.excluded))
      return [
        "EXCLUSION_MISMATCH",
        `the entry says [${e.excluded.join(",")}] are excluded; the log says [${next.join(",")}]`,
      ];
    this.#history.push(next);
    return e.action === "exclude" ? { payment_id: e.evidence.payment_id } : {};
  }

  /** The decision's recorded excluded set is the log's, and no excluded validator's verdict is counted. */
  checkDecision(d: Counted, validators: Validators): EntryProblem | null {
    const epoch = d.policy.exclusion_epoch ?? 0;
    const recorded = d.policy.excluded ?? [];
    if (epoch > this.epoch || epoch < this.epoch - EPOCH_LAG)
      return ["EXCLUSION_MISMATCH", `decision taken at exclusion epoch ${epoch}; the log is at epoch ${this.epoch}`];
    if (!same(recorded, this.#history[epoch]!))
      return [
        "EXCLUSION_MISMATCH",
        `the decision records [${recorded.join(",")}] as excluded; at epoch ${epoch} the log has [${this.#history[epoch]!.join(",")}]`,
      ];
    const out = new Set(recorded);
    for (const v of d.verdicts)
      if (out.has(v.verdict.validator_id))
        return ["EXCLUDED_COUNTED", `the verdict of excluded validator ${v.verdict.validator_id} is counted`];
    for (const v of d.excluded_verdicts ?? []) {
      const id = v.verdict.validator_id;
      const verifier = validators.get(id);
      if (!out.has(id)) return ["EXCLUSION_MISMATCH", `${id}'s verdict is set aside, but ${id} is not excluded`];
      if (!verifier || !verifyVerdict(verifier, v) || v.verdict.payment_id !== d.payment_id)
        return ["BAD_VERDICT", `the set-aside verdict of ${id} does not verify for this payment`];
    }
    return null;
  }
}
