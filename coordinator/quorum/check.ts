/**
 * Checks one incoming verdict against the validator set and the evaluation it
 * claims to judge. Rejections are values with a stable code and the facts.
 */
import {
  canonicalString,
  verifyVerdict,
  type SignedVerdict,
  type VerdictRejectionCode,
  type Verifier,
} from "../../protocol/index.ts";

/** Each code is one of the catalogue's (`VerdictRejectionCodes`): a code it lacks makes its variant `never`. */
export type VerdictRejection = { code: VerdictRejectionCode } & (
  | { code: "UNKNOWN_VALIDATOR"; validator_id: string }
  | { code: "NOT_A_MEMBER"; validator_id: string }
  | { code: "SUBJECT_MISMATCH"; validator_id: string; subject: string }
  | { code: "WRONG_DIGEST"; validator_id: string }
  | { code: "WRONG_ATTEMPT"; validator_id: string; attempt: number; expected: number }
  | { code: "STALE"; validator_id: string; evaluated_at: string }
  | { code: "BAD_SIGNATURE"; validator_id: string }
  | { code: "BAD_EVIDENCE"; validator_id: string; field: string }
  | { code: "WRONG_EVIDENCE"; validator_id: string }
  | { code: "DUPLICATE"; validator_id: string }
);

export type VerdictCheck =
  { ok: true } | { ok: false; rejection: VerdictRejection } | { ok: "equivocation"; first: SignedVerdict };

export interface Expected {
  digest: string;
  attempt: number;
  members: ReadonlySet<string>;
  /** When the evaluation started (ms); verdicts evaluated long before it, or in the future, are stale. */
  startedAtMs: number;
  seen: ReadonlyMap<string, SignedVerdict>;
  /** The payment as rules see it, to check a CRITICAL verdict's evidence against. */
  facts?: Record<string, unknown>;
  evidenceDigest?: string;
}

const CLOCK_SKEW_MS = 30_000;

export function checkVerdict(
  validators: ReadonlyMap<string, Verifier>,
  subjectFor: (id: string) => string,
  subject: string,
  signed: SignedVerdict,
  expected: Expected,
  nowMs: number,
): VerdictCheck {
  const v = signed.verdict;
  const id = v.validator_id;
  const reject = (rejection: VerdictRejection): VerdictCheck => ({ ok: false, rejection });
  const verifier = validators.get(id);
  if (!verifier) return reject({ code: "UNKNOWN_VALIDATOR", validator_id: id });
  if (subject !== subjectFor(id)) return reject({ code: "SUBJECT_MISMATCH", validator_id: id, subject });
  if (!expected.members.has(id)) return reject({ code: "NOT_A_MEMBER", validator_id: id });
  if (v.attempt !== expected.attempt)
    return reject({ code: "WRONG_ATTEMPT", validator_id: id, attempt: v.attempt, expected: expected.attempt });
  if (v.payment_digest !== expected.digest) return reject({ code: "WRONG_DIGEST", validator_id: id });
  if ((v.evidence_digest ?? undefined) !== expected.evidenceDigest)
    return reject({ code: "WRONG_EVIDENCE", validator_id: id });
  const at = Date.parse(v.evaluated_at);
  if (!(at >= expected.startedAtMs - CLOCK_SKEW_MS && at <= nowMs + CLOCK_SKEW_MS)) {
    return reject({ code: "STALE", validator_id: id, evaluated_at: v.evaluated_at });
  }
  if (v.risk_level === "CRITICAL" && expected.facts) {
    const field = contradictedInput(signed, expected.facts);
    if (field !== undefined) return reject({ code: "BAD_EVIDENCE", validator_id: id, field });
  }
  const first = expected.seen.get(id);
  if (first && canonicalString(first.verdict) === canonicalString(v))
    return reject({ code: "DUPLICATE", validator_id: id });
  // Last, because it is the expensive check (cached per signed batch).
  if (!verifyVerdict(verifier, signed)) return reject({ code: "BAD_SIGNATURE", validator_id: id });
  return first ? { ok: "equivocation", first } : { ok: true };
}

/** The first evidence input that the payment itself contradicts (fields the coordinator cannot see are skipped). */
export function contradictedInput(signed: SignedVerdict, facts: Record<string, unknown>): string | undefined {
  for (const r of signed.verdict.reasons) {
    for (const [field, claimed] of Object.entries(r.inputs ?? {})) {
      let actual: unknown = facts;
      for (const part of field.split("."))
        actual = actual !== null && typeof actual === "object" ? (actual as Record<string, unknown>)[part] : undefined;
      if (actual === undefined) continue;
      const shown = Array.isArray(actual)
        ? actual.slice(0, 8).join(",").slice(0, 200)
        : typeof actual === "string"
          ? actual.slice(0, 200)
          : actual;
      if (
        typeof shown === "number" || typeof claimed === "number" ? Number(shown) !== Number(claimed) : shown !== claimed
      )
        return field;
    }
  }
  return undefined;
}
