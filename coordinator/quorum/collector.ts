/**
 * The one vote collector for payments and events: every signed verdict,
 * whatever it judges, passes the same checks in the same order (pure):
 * known key, its own subject, a member asked to vote, bound to the exact
 * evaluation (the kind's binding: digest, attempt, evidence), fresh, not a
 * duplicate, signature; a second different verdict of one validator is an
 * equivocation. `Tally` keeps what one evaluation collected, for the log,
 * the metrics and the decision.
 */
import { canonicalString, type Verifier } from "../../protocol/index.ts";
import type { VerdictRejection } from "./check.ts";

/** What every vote carries, a payment verdict or an event verdict. */
export interface Vote {
  verdict: { validator_id: string; evaluated_at: string };
  signature: string;
}

export interface VoteKind<V extends Vote> {
  /** The subject each validator publishes this kind of verdict on. */
  subjectFor(validatorId: string): string;
  verify(verifier: Verifier, vote: V): boolean;
  /** Whether the vote judges this very evaluation: a rejection, or null. */
  binding(vote: V): VerdictRejection | null;
}

export interface Ballot<V extends Vote> {
  members: ReadonlySet<string>;
  /** When the evaluation started (ms): verdicts evaluated long before it, or in the future, are stale. */
  startedAtMs: number;
  seen: ReadonlyMap<string, V>;
}

export type Collected<V> = { ok: true } | { ok: false; rejection: VerdictRejection } | { ok: "equivocation"; first: V };

export const CLOCK_SKEW_MS = 30_000;

export function collect<V extends Vote>(
  validators: ReadonlyMap<string, Verifier>,
  kind: VoteKind<V>,
  subject: string,
  vote: V,
  ballot: Ballot<V>,
  nowMs: number,
): Collected<V> {
  const v = vote.verdict;
  const id = v.validator_id;
  const reject = (rejection: VerdictRejection): Collected<V> => ({ ok: false, rejection });
  const verifier = validators.get(id);
  if (!verifier) return reject({ code: "UNKNOWN_VALIDATOR", validator_id: id });
  if (subject !== kind.subjectFor(id)) return reject({ code: "SUBJECT_MISMATCH", validator_id: id, subject });
  if (!ballot.members.has(id)) return reject({ code: "NOT_A_MEMBER", validator_id: id });
  const unbound = kind.binding(vote);
  if (unbound) return reject(unbound);
  const at = Date.parse(v.evaluated_at);
  if (!(at >= ballot.startedAtMs - CLOCK_SKEW_MS && at <= nowMs + CLOCK_SKEW_MS))
    return reject({ code: "STALE", validator_id: id, evaluated_at: v.evaluated_at });
  const first = ballot.seen.get(id);
  if (first && canonicalString(first.verdict) === canonicalString(v))
    return reject({ code: "DUPLICATE", validator_id: id });
  // Last, because it is the expensive check (cached per signed batch).
  if (!kind.verify(verifier, vote)) return reject({ code: "BAD_SIGNATURE", validator_id: id });
  return first ? { ok: "equivocation", first } : { ok: true };
}

/** What one evaluation collected: counted votes, refusals and equivocations (both votes as evidence). */
export class Tally<V extends Vote> {
  readonly votes = new Map<string, V>();
  readonly rejected: { validator_id: string; code: VerdictRejection["code"] }[] = [];
  readonly equivocations: { validator_id: string; verdicts: [V, V] }[] = [];

  /** Applies one collected vote; returns the result label for `siq_*verdicts_total`. */
  apply(vote: V, c: Collected<V>): VerdictRejection["code"] | "ACCEPTED" | "EQUIVOCATION" {
    const id = vote.verdict.validator_id;
    if (c.ok === false) {
      if (c.rejection.code !== "DUPLICATE") this.rejected.push({ validator_id: id, code: c.rejection.code });
      return c.rejection.code;
    }
    if (c.ok === "equivocation") {
      // Two different signed verdicts for one evaluation: keep both as evidence, count neither.
      this.equivocations.push({ validator_id: id, verdicts: [c.first, vote] });
      this.votes.delete(id);
      return "EQUIVOCATION";
    }
    this.votes.set(id, vote);
    return "ACCEPTED";
  }

  /** Members that voted, were refused or equivocated. */
  spoken(): Set<string> {
    return new Set([
      ...this.votes.keys(),
      ...this.rejected.map((r) => r.validator_id),
      ...this.equivocations.map((e) => e.validator_id),
    ]);
  }
}
