/**
 * Checks one incoming verdict against the validator set and the evaluation it
 * claims to judge. Rejections are values with a stable code and the facts.
 */
import {
  shownInput,
  verifyVerdict,
  type SignedVerdict,
  type VerdictRejectionCode,
  type Verifier,
} from "../../protocol/index.ts";
import { collect, type Collected, type VoteKind } from "./collector.ts";

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

export type VerdictCheck = Collected<SignedVerdict>;

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

/** A payment verdict through the one collector (`collector.ts`), bound to the payment, attempt and evidence. */
export function checkVerdict(
  validators: ReadonlyMap<string, Verifier>,
  subjectFor: (id: string) => string,
  subject: string,
  signed: SignedVerdict,
  expected: Expected,
  nowMs: number,
): VerdictCheck {
  const kind: VoteKind<SignedVerdict> = {
    subjectFor,
    verify: verifyVerdict,
    binding: ({ verdict: v }) => {
      const id = v.validator_id;
      if (v.attempt !== expected.attempt)
        return { code: "WRONG_ATTEMPT", validator_id: id, attempt: v.attempt, expected: expected.attempt };
      if (v.payment_digest !== expected.digest) return { code: "WRONG_DIGEST", validator_id: id };
      if ((v.evidence_digest ?? undefined) !== expected.evidenceDigest)
        return { code: "WRONG_EVIDENCE", validator_id: id };
      if (v.risk_level === "CRITICAL" && expected.facts) {
        const field = contradictedInput(signed, expected.facts);
        if (field !== undefined) return { code: "BAD_EVIDENCE", validator_id: id, field };
      }
      return null;
    },
  };
  return collect(validators, kind, subject, signed, expected, nowMs);
}

/** The first evidence input that the payment itself contradicts (fields the coordinator cannot see are skipped). */
export function contradictedInput(signed: SignedVerdict, facts: Record<string, unknown>): string | undefined {
  for (const r of signed.verdict.reasons) {
    for (const [field, claimed] of Object.entries(r.inputs ?? {})) {
      let actual: unknown = facts;
      for (const part of field.split("."))
        actual = actual !== null && typeof actual === "object" ? (actual as Record<string, unknown>)[part] : undefined;
      if (actual === undefined) continue;
      const shown = Array.isArray(actual) || typeof actual === "string" ? shownInput(actual) : actual;
      if (
        typeof shown === "number" || typeof claimed === "number" ? Number(shown) !== Number(claimed) : shown !== claimed
      )
        return field;
    }
  }
  return undefined;
}
