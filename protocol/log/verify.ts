/**
 * Re-checks a log, row by row, as an auditor would: chain, head signatures,
 * entry encoding, every verdict signature against the validator set, and the
 * decision recomputed from its verdicts. Feed rows in index order.
 */
import { canonicalString, isCanonical } from "../canonical.ts";
import { Verifier } from "../crypto.ts";
import { decideQuorum } from "../quorum.ts";
import { ChallengeRecord } from "../schemas/challenge.ts";
import { EquivocationRecord, QuorumDecision } from "../schemas/decision.ts";
import type { ValidatorSet } from "../schemas/network.ts";
import { verifyVerdict } from "../verdicts.ts";
import { AUDIT_ENTRY_TYPE, AuditReplay } from "./audit-replay.ts";
import { chainHash, GENESIS_HASH, verifyHead, type ChainRow } from "./chain.ts";

export interface LogProblem {
  index: number;
  code:
    | "INDEX_GAP"
    | "PREV_HASH_MISMATCH"
    | "HASH_MISMATCH"
    | "BAD_HEAD_SIGNATURE"
    | "BAD_ENTRY"
    | "BAD_VERDICT"
    | "DECISION_MISMATCH"
    | "BAD_AUDIT_TRANSITION";
  message: string;
}

export class ChainVerifier {
  readonly #log: Verifier;
  readonly #origin: string;
  readonly #validators: Map<string, Verifier>;
  /** The audit registry, rebuilt from its entries. */
  readonly audit = new AuditReplay();
  #next = 0;
  #prev: Uint8Array = GENESIS_HASH;

  constructor(opts: { logPublicKey: Uint8Array; origin: string; validatorSet: ValidatorSet }) {
    this.#log = new Verifier(opts.logPublicKey);
    this.#origin = opts.origin;
    this.#validators = new Map(opts.validatorSet.validators.map((v) => [v.id, new Verifier(Buffer.from(v.public_key, "hex"))]));
  }

  get checked(): number {
    return this.#next;
  }

  /** Returns the first problem with this row, or null. */
  push(row: ChainRow): LogProblem | null {
    const i = row.index;
    const fail = (code: LogProblem["code"], message: string): LogProblem => ({ index: i, code, message });
    if (i !== this.#next) return fail("INDEX_GAP", `expected entry ${this.#next}, found ${i}`);
    if (!Buffer.from(row.prevHash).equals(Buffer.from(this.#prev))) return fail("PREV_HASH_MISMATCH", "prev_hash does not match the previous entry's hash");
    const hash = chainHash(this.#prev, row.entry);
    if (!hash.equals(Buffer.from(row.hash))) return fail("HASH_MISMATCH", "stored hash does not match the entry bytes (entry edited?)");
    if (!verifyHead(this.#log, this.#origin, i, hash, row.signature)) return fail("BAD_HEAD_SIGNATURE", "the log key's signature does not verify");
    const problem = this.#checkEntry(row.entry);
    if (problem) return fail(problem[0], problem[1]);
    this.#next = i + 1;
    this.#prev = hash;
    return null;
  }

  #checkEntry(bytes: Uint8Array): [LogProblem["code"], string] | null {
    if (!isCanonical(bytes)) return ["BAD_ENTRY", "entry is not RFC 8785 canonical JSON"];
    const json = JSON.parse(Buffer.from(bytes).toString("utf8")) as { type?: unknown };
    if (json.type === AUDIT_ENTRY_TYPE) {
      const problem = this.audit.push(json);
      return problem ? [problem.code, problem.message] : null;
    }
    if (json.type === "sentineliq.equivocation.v1") {
      const r = EquivocationRecord.safeParse(json);
      if (!r.success) return ["BAD_ENTRY", `malformed equivocation record: ${r.error.issues[0]?.message}`];
      const [a, b] = r.data.verdicts;
      const verifier = this.#validators.get(r.data.validator_id);
      const mine = (x: typeof a) => x.verdict.validator_id === r.data.validator_id && x.verdict.payment_id === r.data.payment_id && x.verdict.attempt === r.data.attempt;
      if (!verifier || !mine(a) || !mine(b) || !verifyVerdict(verifier, a) || !verifyVerdict(verifier, b) || canonicalString(a.verdict) === canonicalString(b.verdict)) {
        return ["BAD_VERDICT", `equivocation evidence against ${r.data.validator_id} does not hold up`];
      }
      return null;
    }
    if (json.type !== "sentineliq.decision.v1") {
      // Other records (challenges, ...) are checked for shape; their chain and signature were checked above.
      if (typeof json.type === "string" && json.type.startsWith("sentineliq.challenge")) {
        const r = ChallengeRecord.safeParse(json);
        if (!r.success) return ["BAD_ENTRY", `malformed ${json.type}: ${r.error.issues[0]?.message}`];
      }
      return null;
    }
    const parsed = QuorumDecision.safeParse(json);
    if (!parsed.success) return ["BAD_ENTRY", `entry is not a decision: ${parsed.error.issues[0]?.message}`];
    const d = parsed.data;
    const seen = new Set<string>();
    for (const sv of d.verdicts) {
      const v = sv.verdict;
      const verifier = this.#validators.get(v.validator_id);
      if (!verifier) return ["BAD_VERDICT", `verdict from ${v.validator_id}, which is not in the validator set`];
      if (seen.has(v.validator_id)) return ["BAD_VERDICT", `two verdicts from ${v.validator_id}`];
      seen.add(v.validator_id);
      if (v.payment_id !== d.payment_id || v.payment_digest !== d.payment_digest || v.attempt !== d.attempt) {
        return ["BAD_VERDICT", `verdict from ${v.validator_id} is for another payment or attempt`];
      }
      if (!verifyVerdict(verifier, sv)) return ["BAD_VERDICT", `signature of ${v.validator_id}'s verdict does not verify`];
    }
    for (const e of d.equivocations) {
      const verifier = this.#validators.get(e.validator_id);
      const [a, b] = e.verdicts;
      const same = (x: typeof a) => x.verdict.validator_id === e.validator_id && x.verdict.payment_id === d.payment_id && x.verdict.attempt === d.attempt;
      if (!verifier || !same(a) || !same(b) || !verifyVerdict(verifier, a) || !verifyVerdict(verifier, b) || canonicalString(a.verdict) === canonicalString(b.verdict)) {
        return ["BAD_VERDICT", `equivocation evidence against ${e.validator_id} does not hold up`];
      }
      if (seen.has(e.validator_id)) return ["BAD_VERDICT", `equivocating ${e.validator_id} was also counted`];
    }
    const again = decideQuorum(d.policy, d.verdicts, true);
    if (!again || again.risk_level !== d.risk_level || again.decision !== d.decision || again.outcome !== d.outcome) {
      return ["DECISION_MISMATCH", `the verdicts do not lead to ${d.decision}/${d.risk_level} under policy ${d.policy.name}`];
    }
    return null;
  }
}
