/**
 * What the sequencer believes of a log append that another process put on
 * the bus: nothing it has not checked itself. A payment outcome comes only
 * with a quorum decision whose verdict signatures and quorum verify against
 * the validator set, under a policy no weaker than the set's own, and the
 * outcome must be the one the decision records. (An entry this process made
 * itself was checked by its own aggregator.) The state guard, applied inside
 * the integration transaction, is in integrate.ts.
 */
import {
  ADMIN_ENTRY_TYPE,
  adminEntryKey,
  AdminRecord,
  AUDIT_ENTRY_TYPE,
  AuditReplay,
  auditorVerifiers,
  canonicalBytes,
  checkAdminEntry,
  checkDecisionEntry,
  decisionKey,
  ERASURE_ENTRY_TYPE,
  erasureEntryKey,
  ErasureRecord,
  faultsTolerated,
  policyFor,
  QuorumDecision,
  TOMBSTONE_TYPE,
  TypeTags,
  Verifier,
  type BusRefusalCode,
  type LogAppend,
  type ValidatorSet,
} from "../../protocol/index.ts";

/** What the state guard needs: the payment must be `evaluating` at this attempt, with this digest. */
export interface OutcomeGuard {
  attempt: number;
  digest: string;
}

export type AppendCheck = { guard?: OutcomeGuard } | { refused: BusRefusalCode; reason: string };

const STATUS_OF = { approve: "approved", reject: "rejected", challenge: "challenged" } as const;

export class AppendChecker {
  readonly #set: ValidatorSet;
  readonly #validators: Map<string, Verifier>;
  /** The coordinator's bus key: every append must carry its signature. */
  readonly bus: Verifier;
  /** The coordinator's log key: every admin entry must carry its signature (a reader's `log verify` checks it too). */
  readonly #logKey: Verifier | undefined;

  constructor(set: ValidatorSet, bus: Verifier, logKey?: Verifier) {
    this.#set = set;
    this.bus = bus;
    this.#logKey = logKey;
    this.#validators = new Map(set.validators.map((v) => [v.id, new Verifier(Buffer.from(v.public_key, "hex"))]));
  }

  /** Checks a foreign append: `type` is its entry's type, `json` the parsed entry. */
  check(msg: LogAppend, type: string, json: unknown): AppendCheck {
    if (type === AUDIT_ENTRY_TYPE && this.#set.auditors) {
      // The registry is a projection of these entries: an approval no auditor signed must never reach it.
      const problem = new AuditReplay(auditorVerifiers(this.#set.auditors)).signatureProblem(json);
      if (problem) return refuse("AUDIT_UNSIGNED", problem);
    }
    // A tombstone is never appended: erasure writes it in place of an entry (its leaf hash is that entry's).
    if (type === TOMBSTONE_TYPE) return refuse("BAD_ERASURE", "a tombstone is never appended as a new entry");
    if (type === ERASURE_ENTRY_TYPE) {
      const r = ErasureRecord.safeParse(json);
      if (!r.success) return refuse("BAD_ERASURE", `malformed erasure record: ${r.error.issues[0]?.message}`);
      if (msg.key !== erasureEntryKey(r.data.org, Buffer.from(msg.entry, "base64")))
        return refuse("BAD_ERASURE", `key ${msg.key} is not the erasure entry's`);
    }
    if (type === ADMIN_ENTRY_TYPE) {
      const problem = this.#adminProblem(msg, json);
      if (problem) return refuse("ADMIN_UNSIGNED", problem);
    }
    if (type !== TypeTags.decision) {
      if (msg.payment) return refuse("OUTCOME_MISMATCH", `a payment outcome with a ${type} entry`);
      return {};
    }
    const checked = checkDecisionEntry(json, this.#validators);
    if (Array.isArray(checked)) return refuse("DECISION_UNVERIFIED", `${checked[0]}: ${checked[1]}`);
    const d = QuorumDecision.parse(json);
    const weak = this.#weakPolicy(d);
    if (weak) return refuse("DECISION_UNVERIFIED", weak);
    if (msg.key !== decisionKey(d.payment_id, d.attempt))
      return refuse("DECISION_UNVERIFIED", `key ${msg.key} is not the decision's`);
    const p = msg.payment;
    if (!p) return {};
    if (
      p.payment_id !== d.payment_id ||
      p.decision !== d.decision ||
      p.risk_level !== d.risk_level ||
      p.status !== STATUS_OF[d.decision]
    )
      return refuse("OUTCOME_MISMATCH", `outcome ${p.status}/${p.risk_level} is not decision ${d.decision}`);
    return { guard: { attempt: d.attempt, digest: d.payment_digest } };
  }

  /** An admin entry must verify against the log key and sit under its organisation's key (who reads it depends on it). */
  #adminProblem(msg: LogAppend, json: unknown): string | undefined {
    const checked = checkAdminEntry(json, this.#logKey);
    if (Array.isArray(checked)) return checked[1];
    if (!checked.checked) return "no log key to check the admin entry's signature against";
    const org = AdminRecord.parse(json).org;
    if (msg.key !== adminEntryKey(org, canonicalBytes(json)))
      return `key ${msg.key} is not the admin entry's (organisation ${org ?? "none"})`;
    return undefined;
  }

  #isCommittee(members: string[]): boolean {
    return committeeOf(this.#set, members);
  }

  /** A policy weaker than the validator set's own for the same members, or not of this set: why, else undefined. */
  #weakPolicy(d: QuorumDecision): string | undefined {
    const p = d.policy;
    const ids = new Set(this.#set.validators.map((v) => v.id));
    if (p.n !== this.#set.validators.length || p.f !== faultsTolerated(this.#set))
      return `policy n=${p.n} f=${p.f} is not the validator set's`;
    if (p.members.some((m) => !ids.has(m)) || new Set(p.members).size !== p.members.length)
      return "policy members are not distinct members of the validator set";
    if (p.members.length < p.n && !this.#isCommittee(p.members))
      return `policy members ${p.members.join(",")} are neither the whole set nor a tier's committee`;
    const own = policyFor(this.#set, p.fail_closed, { members: p.members });
    if (p.approve < own.approve || p.reject < own.reject)
      return `policy approve=${p.approve} reject=${p.reject} is weaker than the set's ${own.approve}/${own.reject}`;
    return undefined;
  }
}

/** True when `members` are exactly the committee of one of the set's tiers. */
function committeeOf(set: ValidatorSet, members: string[]): boolean {
  const want = [...members].sort().join(",");
  return Object.values(set.tiers).some(
    (c) =>
      c !== undefined &&
      set.validators
        .filter((v) => v.committees.includes(c))
        .map((v) => v.id)
        .sort()
        .join(",") === want,
  );
}

function refuse(code: BusRefusalCode, reason: string): AppendCheck {
  return { refused: code, reason };
}
