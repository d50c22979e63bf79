/**
 * The meaning of log entries, as an auditor checks them. Every entry must be
 * RFC 8785 canonical JSON naming its `type`. A `sentineliq.decision.v1` is
 * checked in full: every verdict signature against the validator set, and
 * the decision recomputed from its verdicts under the recorded policy. A
 * `sentineliq.audit.v1` is replayed into the audit registry: it must be a
 * change the registry's state machine allows (feed entries in index order).
 * Other types are reported as skipped, not failed: the tree still covers them.
 */
import { canonicalString, isCanonical } from "../canonical.ts";
import { Verifier } from "../crypto.ts";
import { decideQuorum } from "../quorum.ts";
import { ChallengeRecord } from "../schemas/challenge.ts";
import { EquivocationRecord, QuorumDecision } from "../schemas/decision.ts";
import type { ValidatorSet } from "../schemas/network.ts";
import type { SignedVerdict } from "../schemas/verdict.ts";
import { verifyVerdict } from "../verdicts.ts";
import { checkEventEntry } from "./verify-event.ts";
import { AUDIT_ENTRY_TYPE, AuditReplay } from "./audit-replay.ts";

export type EntryProblemCode = "BAD_ENTRY" | "BAD_VERDICT" | "DECISION_MISMATCH" | "BAD_AUDIT_TRANSITION";

export type EntryCheck =
  | { ok: true; type: string; checked: boolean; payment_id?: string }
  | { ok: false; type: string; code: EntryProblemCode; message: string };

export class EntryChecker {
  readonly #validators: Map<string, Verifier>;
  /** The audit registry, as the entries checked so far build it. */
  readonly audit = new AuditReplay();

  constructor(validatorSet: ValidatorSet) {
    this.#validators = new Map(
      validatorSet.validators.map((v) => [v.id, new Verifier(Buffer.from(v.public_key, "hex"))]),
    );
  }

  check(bytes: Uint8Array): EntryCheck {
    if (!isCanonical(bytes)) return bad("?", "BAD_ENTRY", "entry is not RFC 8785 canonical JSON");
    const json: unknown = JSON.parse(Buffer.from(bytes).toString("utf8"));
    const type =
      typeof json === "object" && json !== null && typeof (json as { type?: unknown }).type === "string"
        ? (json as { type: string }).type
        : undefined;
    if (!type) return bad("?", "BAD_ENTRY", "entry is not an object with a string `type`");
    if (type === "sentineliq.equivocation.v1") return this.#checkEquivocation(type, json);
    if (type === AUDIT_ENTRY_TYPE) {
      const problem = this.audit.push(json);
      return problem ? bad(type, problem.code, problem.message) : { ok: true, type, checked: true };
    }
    if (type.startsWith("sentineliq.challenge")) {
      const r = ChallengeRecord.safeParse(json);
      if (!r.success) return bad(type, "BAD_ENTRY", `malformed ${type}: ${r.error.issues[0]?.message}`);
      return { ok: true, type, checked: true, payment_id: r.data.payment_id };
    }
    if (type === "sentineliq.event.v1") {
      const problem = checkEventEntry(json, this.#validators);
      return problem ? bad(type, problem[0], problem[1]) : { ok: true, type, checked: true };
    }
    if (type !== "sentineliq.decision.v1") return { ok: true, type, checked: false };
    return this.#checkDecision(type, json);
  }

  #checkEquivocation(type: string, json: unknown): EntryCheck {
    const r = EquivocationRecord.safeParse(json);
    if (!r.success) return bad(type, "BAD_ENTRY", `malformed equivocation record: ${r.error.issues[0]?.message}`);
    const { validator_id, payment_id, attempt, verdicts } = r.data;
    if (!this.#equivocationHolds(verdicts, validator_id, payment_id, attempt))
      return bad(type, "BAD_VERDICT", `equivocation evidence against ${validator_id} does not hold up`);
    return { ok: true, type, checked: true, payment_id };
  }

  /** Every verdict signed by a member, for this payment and attempt; the decision recomputed from them. */
  #checkDecision(type: string, json: unknown): EntryCheck {
    const parsed = QuorumDecision.safeParse(json);
    if (!parsed.success)
      return bad(type, "BAD_ENTRY", `entry is not a valid decision: ${parsed.error.issues[0]?.message}`);
    const d = parsed.data;
    const seen = new Set<string>();
    for (const sv of d.verdicts) {
      const v = sv.verdict;
      const verifier = this.#validators.get(v.validator_id);
      if (!verifier)
        return bad(type, "BAD_VERDICT", `verdict from ${v.validator_id}, which is not in the validator set`);
      if (seen.has(v.validator_id)) return bad(type, "BAD_VERDICT", `two verdicts from ${v.validator_id}`);
      seen.add(v.validator_id);
      if (v.payment_id !== d.payment_id || v.payment_digest !== d.payment_digest || v.attempt !== d.attempt) {
        return bad(type, "BAD_VERDICT", `verdict from ${v.validator_id} is for another payment or attempt`);
      }
      if (!verifyVerdict(verifier, sv))
        return bad(type, "BAD_VERDICT", `signature of ${v.validator_id}'s verdict does not verify`);
    }
    for (const e of d.equivocations) {
      if (!this.#equivocationHolds(e.verdicts, e.validator_id, d.payment_id, d.attempt))
        return bad(type, "BAD_VERDICT", `equivocation evidence against ${e.validator_id} does not hold up`);
      if (seen.has(e.validator_id)) return bad(type, "BAD_VERDICT", `equivocating ${e.validator_id} was also counted`);
    }
    const again = decideQuorum(d.policy, d.verdicts, true);
    if (!again || again.risk_level !== d.risk_level || again.decision !== d.decision || again.outcome !== d.outcome) {
      return bad(
        type,
        "DECISION_MISMATCH",
        `the verdicts do not lead to ${d.decision}/${d.risk_level} under policy ${d.policy.name}`,
      );
    }
    return { ok: true, type, checked: true, payment_id: d.payment_id };
  }

  /** Two different verdicts, both signed by the member, both for this payment and attempt. */
  #equivocationHolds(
    pair: readonly [SignedVerdict, SignedVerdict],
    validatorId: string,
    paymentId: string,
    attempt: number,
  ): boolean {
    const verifier = this.#validators.get(validatorId);
    const [a, b] = pair;
    const mine = (x: SignedVerdict) =>
      x.verdict.validator_id === validatorId && x.verdict.payment_id === paymentId && x.verdict.attempt === attempt;
    return (
      verifier !== undefined &&
      mine(a) &&
      mine(b) &&
      verifyVerdict(verifier, a) &&
      verifyVerdict(verifier, b) &&
      canonicalString(a.verdict) !== canonicalString(b.verdict)
    );
  }
}

function bad(type: string, code: EntryProblemCode, message: string): EntryCheck {
  return { ok: false, type, code, message };
}
