/**
 * The meaning of log entries, as a verifier checks them. Every entry must be
 * RFC 8785 canonical JSON naming its `type`. A `sentineliq.decision.v1` is
 * checked in full: every verdict signature against the validator set, and
 * the decision recomputed from its verdicts under the recorded policy. A
 * `sentineliq.audit.v1` is replayed into the audit registry: it must be a
 * change the registry's state machine allows (feed entries in index order).
 * Every entry of our own log is of a type this checker knows: an entry of any
 * other type fails with UNKNOWN_ENTRY_TYPE (only a forger writes one). A
 * `sentineliq.admin.v1` (the audit trail) must carry the coordinator's log key
 * signature (admin.ts).
 * A reader who sees only part of the log (an organisation reading its own
 * entries) cannot replay validator exclusions, which need every status entry:
 * after `readingPart()` those are taken as they stand and decisions are
 * checked without them.
 */
import { isCanonical } from "../canonical.ts";
import { Verifier } from "../crypto.ts";
import type { EntryProblemCode } from "../errors.ts";
import { ChallengeRecord } from "../schemas/challenge.ts";
import type { QuorumDecision } from "../schemas/decision.ts";
import type { EventDecision } from "../schemas/event.ts";
import type { ValidatorSet } from "../schemas/network.ts";
import { TypeTags } from "../tags.ts";
import { AUDIT_ENTRY_TYPE, AuditReplay } from "../audit/replay.ts";
import { auditorVerifiers } from "../audit/statement.ts";
import { ADMIN_ENTRY_TYPE, checkAdminEntry } from "./admin.ts";
import { checkDecisionEntry, checkEquivocationEntry } from "./verify-decision.ts";
import { checkEventEntry, type EntryProblem } from "./verify-event.ts";
import { ExclusionReplay } from "./verify-exclusion.ts";
import { ERASURE_ENTRY_TYPE, ErasureRecord } from "./erasure.ts";

export type EntryCheck =
  | { ok: true; type: string; checked: boolean; payment_id?: string }
  | { ok: false; type: string; code: EntryProblemCode; message: string };

/** What checking one type found: a problem, or the payment the entry concerns (if any); `checked: false` when only its shape was. */
type Checked = EntryProblem | { payment_id?: string; checked?: boolean };

function entryType(json: unknown): string | undefined {
  const type = typeof json === "object" && json !== null ? (json as { type?: unknown }).type : undefined;
  return typeof type === "string" ? type : undefined;
}

export class EntryChecker {
  readonly #validators: Map<string, Verifier>;
  /** The audit registry, as the entries checked so far build it. */
  readonly audit: AuditReplay;
  /** Validator exclusions, as the entries checked so far build them. */
  readonly exclusions = new ExclusionReplay();
  #partial = false;
  /** The coordinator's log key: admin entries carry its signature. */
  readonly #coordinator: Verifier | undefined;

  /** `coordinator`: the log's public key (the checkpoint key); without it admin entries are checked for shape only. */
  constructor(validatorSet: ValidatorSet, coordinator?: Uint8Array) {
    this.#coordinator = coordinator ? new Verifier(coordinator) : undefined;
    // With an auditor set in network.json, every approval and revocation must be signed by one of its auditors.
    this.audit = new AuditReplay(validatorSet.auditors ? auditorVerifiers(validatorSet.auditors) : undefined);
    this.#validators = new Map(
      validatorSet.validators.map((v) => [v.id, new Verifier(Buffer.from(v.public_key, "hex"))]),
    );
  }

  /** From now on the entries fed are only some of the log's: state that needs all of them is not replayed. */
  readingPart(): void {
    this.#partial = true;
  }

  check(bytes: Uint8Array): EntryCheck {
    if (!isCanonical(bytes))
      return { ok: false, type: "?", code: "BAD_ENTRY", message: "entry is not RFC 8785 canonical JSON" };
    const json: unknown = JSON.parse(Buffer.from(bytes).toString("utf8"));
    const type = entryType(json);
    if (!type)
      return { ok: false, type: "?", code: "BAD_ENTRY", message: "entry is not an object with a string `type`" };
    const r = this.#checkAs(type, json) ?? [
      "UNKNOWN_ENTRY_TYPE",
      `entry type ${JSON.stringify(type.slice(0, 64))} is not one this log ever writes`,
    ];
    if (Array.isArray(r)) return { ok: false, type, code: r[0], message: r[1] };
    return { ok: true, type, checked: r.checked ?? true, ...(r.payment_id ? { payment_id: r.payment_id } : {}) };
  }

  /** Undefined for a type this checker does not know (the entry then fails). */
  #checkAs(type: string, json: unknown): Checked | undefined {
    if (type === TypeTags.decision) {
      const r = checkDecisionEntry(json, this.#validators);
      if (Array.isArray(r) || this.#partial) return r;
      return this.exclusions.checkDecision(json as QuorumDecision, this.#validators) ?? r;
    }
    // Its place in the sequence of epochs needs every status entry, which a partial reader does not have.
    if (type === TypeTags.validator_status) return this.#partial ? {} : this.exclusions.push(json, this.#validators);
    if (type === TypeTags.equivocation) return checkEquivocationEntry(json, this.#validators);
    if (type === TypeTags.event)
      return (
        checkEventEntry(json, this.#validators) ??
        (this.#partial ? null : this.exclusions.checkDecision(json as EventDecision, this.#validators)) ??
        {}
      );
    if (type === AUDIT_ENTRY_TYPE) {
      const problem = this.audit.push(json);
      return problem ? [problem.code, problem.message] : {};
    }
    if (type === ERASURE_ENTRY_TYPE) {
      const r = ErasureRecord.safeParse(json);
      return r.success ? {} : ["BAD_ENTRY", `malformed erasure record: ${r.error.issues[0]?.message}`];
    }
    if (type === ADMIN_ENTRY_TYPE) return checkAdminEntry(json, this.#coordinator);
    if (type.startsWith("sentineliq.challenge")) {
      const r = ChallengeRecord.safeParse(json);
      if (!r.success) return ["BAD_ENTRY", `malformed ${type}: ${r.error.issues[0]?.message}`];
      return { payment_id: r.data.payment_id };
    }
    return undefined;
  }
}
