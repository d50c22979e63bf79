/** Checks one incoming verdict against the validator set and the payment it claims to judge. */
import type { SignedVerdict, Verifier } from "../../protocol/index.ts";
import { verifyVerdict } from "../../protocol/index.ts";

export type VerdictRejection =
  | { code: "UNKNOWN_VALIDATOR"; validator_id: string }
  | { code: "SUBJECT_MISMATCH"; validator_id: string; subject: string }
  | { code: "WRONG_DIGEST"; validator_id: string }
  | { code: "WRONG_ATTEMPT"; validator_id: string; attempt: number; expected: number }
  | { code: "DUPLICATE"; validator_id: string }
  | { code: "BAD_SIGNATURE"; validator_id: string };

export interface Expected {
  digest: string;
  attempt: number;
  seen: ReadonlyMap<string, SignedVerdict>;
}

export function checkVerdict(
  validators: ReadonlyMap<string, Verifier>,
  subjectFor: (id: string) => string,
  subject: string,
  signed: SignedVerdict,
  expected: Expected,
): VerdictRejection | null {
  const v = signed.verdict;
  const id = v.validator_id;
  const verifier = validators.get(id);
  if (!verifier) return { code: "UNKNOWN_VALIDATOR", validator_id: id };
  if (subject !== subjectFor(id)) return { code: "SUBJECT_MISMATCH", validator_id: id, subject };
  if (v.payment_digest !== expected.digest) return { code: "WRONG_DIGEST", validator_id: id };
  if (v.attempt !== expected.attempt) return { code: "WRONG_ATTEMPT", validator_id: id, attempt: v.attempt, expected: expected.attempt };
  if (expected.seen.has(id)) return { code: "DUPLICATE", validator_id: id };
  // Last, because it is the expensive check.
  if (!verifyVerdict(verifier, signed)) return { code: "BAD_SIGNATURE", validator_id: id };
  return null;
}
