/**
 * The quorum rule: a pure, deterministic function of the verified verdicts
 * and the policy recorded with them, so an auditor recomputes every logged
 * decision from the log alone.
 *
 * Each verdict's level counts as given, except that a CRITICAL counts only
 * with evidence others can check (a reason naming its rule and inputs);
 * without it, it counts as HIGH. Then, with f the faults tolerated:
 * - reject   when `reject` (default f+1) verdicts are CRITICAL;
 * - challenge when `escalate` (default f+1) verdicts are MEDIUM or above;
 * - approve  when `approve` (default byzantine, ⌊(n+f)/2⌋+1) verdicts are LOW;
 * - otherwise, once time is up, fail closed (never an approval).
 * The level reported is the weighted upper median, which f outliers cannot move.
 * Weights move only that reported level and score: every threshold counts verdicts.
 *
 * Validators excluded for equivocation evidence (`policy.excluded`) do not
 * count and are not waited for. The set left must still tolerate f faults
 * (n − excluded ≥ 3f + 1); otherwise the outcome is `unsafe`: rejected at once.
 */
import { decisionFor, levelRank, RiskLevels, type Decision, type RiskLevel } from "./schemas/fields.ts";
import type { QuorumPolicy } from "./schemas/decision.ts";
import type { ReasonSummary } from "./schemas/payment.ts";
import type { SignedVerdict } from "./schemas/verdict.ts";
import type { QuorumReasonCode } from "./errors.ts";
import { TypeTags } from "./tags.ts";

export interface QuorumResult {
  outcome: "agreed" | "no_agreement" | "timeout" | "unsafe";
  risk_level: RiskLevel;
  decision: Decision;
  /** Weighted median of the scores. */
  score: number;
  reasons: ReasonSummary[];
  /** Verdicts whose (effective) level is the decided one, in validator-id order. */
  counted: SignedVerdict[];
  /** Validators whose verdict disagreed with the decided level. */
  dissent: string[];
}

/** A CRITICAL verdict is evidenced when a reason names the rule and the inputs it fired on. */
export function hasEvidence(v: SignedVerdict): boolean {
  return v.verdict.reasons.some(
    (r) => r.rule_id !== undefined && r.inputs !== undefined && Object.keys(r.inputs).length > 0,
  );
}

export function effectiveLevel(v: SignedVerdict): RiskLevel {
  const l = v.verdict.risk_level;
  return l === "CRITICAL" && !hasEvidence(v) ? "HIGH" : l;
}

/**
 * `verdicts`: verified, one per validator, from the policy's members.
 * `final`: every member has voted, or time is up. Before that, a result is
 * returned only if no missing vote could change it.
 */
export function decideQuorum(policy: QuorumPolicy, all: SignedVerdict[], final: boolean): QuorumResult | null {
  const excluded = excludedOf(policy);
  if (!quorumSafe(policy)) return unsafe(policy);
  const verdicts = all.filter((v) => !excluded.has(v.verdict.validator_id));
  const voters = policy.members.filter((m) => !excluded.has(m)).length;
  const now = evaluate(policy, verdicts);
  if (now) {
    const missing = voters - verdicts.length;
    if (final || missing <= 0) return now;
    const low = evaluate(policy, [...verdicts, ...phantom(missing, "LOW")]);
    const crit = evaluate(policy, [...verdicts, ...phantom(missing, "CRITICAL")]);
    const same = (r: QuorumResult | null) => r && r.decision === now.decision && r.risk_level === now.risk_level;
    return same(low) && same(crit) ? now : null;
  }
  if (!final && verdicts.length < voters) return null;
  return failClosed(policy, verdicts, voters);
}

/** The validators a policy sets aside for equivocation evidence. */
export function excludedOf(policy: QuorumPolicy): ReadonlySet<string> {
  return new Set(policy.excluded ?? []);
}

/** The validators left once the excluded are set aside still tolerate f faults: n − excluded ≥ 3f + 1. */
export function quorumSafe(policy: Pick<QuorumPolicy, "n" | "f" | "excluded">): boolean {
  return policy.n - (policy.excluded?.length ?? 0) >= 3 * policy.f + 1;
}

function unsafe(policy: QuorumPolicy): QuorumResult {
  const x = policy.excluded?.length ?? 0;
  return {
    outcome: "unsafe",
    risk_level: "HIGH",
    decision: "reject",
    score: 100,
    reasons: [
      {
        code: "VALIDATORS_EXCLUDED" satisfies QuorumReasonCode,
        message: `${x} of ${policy.n} validators are excluded for equivocation; the ${policy.n - x} left cannot tolerate f=${policy.f} (n >= 3f+1)`,
        validators: 0,
      },
    ],
    counted: [],
    dissent: [],
  };
}

function evaluate(policy: QuorumPolicy, verdicts: SignedVerdict[]): QuorumResult | null {
  const eff = verdicts.map((v) => ({ v, level: effectiveLevel(v) }));
  const count = (pred: (l: RiskLevel) => boolean) => eff.filter((e) => pred(e.level)).length;
  let level: RiskLevel | undefined;
  if (count((l) => l === "CRITICAL") >= policy.reject) level = "CRITICAL";
  else if (count((l) => l !== "LOW") >= policy.escalate)
    level = maxOf(
      "MEDIUM",
      medianLevel(
        policy,
        eff.filter((e) => e.level !== "LOW"),
      ),
    );
  else if (count((l) => l === "LOW") >= policy.approve) level = "LOW";
  if (level === undefined) return null;
  const decided = level;
  const agreeing = eff.filter((e) =>
    decided === "LOW" ? e.level === "LOW" : decided === "CRITICAL" ? e.level === "CRITICAL" : e.level !== "LOW",
  );
  return {
    outcome: "agreed",
    risk_level: decided,
    decision: decisionFor(decided),
    score: medianScore(policy, verdicts),
    reasons: summarise(agreeing.map((e) => e.v)),
    counted: byId(agreeing.map((e) => e.v)),
    dissent: eff
      .filter((e) => !agreeing.includes(e))
      .map((e) => e.v.verdict.validator_id)
      .sort(),
  };
}

function failClosed(policy: QuorumPolicy, verdicts: SignedVerdict[], voters: number): QuorumResult {
  const timeout = verdicts.length < voters;
  const eff = verdicts.map((v) => ({ v, level: effectiveLevel(v) }));
  const level = verdicts.length === 0 ? "HIGH" : maxOf("MEDIUM", medianLevel(policy, eff));
  const reasons = summarise(verdicts);
  reasons.unshift({
    code: (timeout ? "QUORUM_TIMEOUT" : "QUORUM_NOT_REACHED") satisfies QuorumReasonCode,
    message: timeout
      ? `only ${verdicts.length} of ${voters} validators voted in time, and no quorum formed`
      : `the ${verdicts.length} verdicts formed no quorum (approve ${policy.approve}, escalate ${policy.escalate}, reject ${policy.reject})`,
    validators: verdicts.length,
  });
  return {
    outcome: timeout ? "timeout" : "no_agreement",
    risk_level: level,
    decision: level === "CRITICAL" ? "reject" : policy.fail_closed,
    score: medianScore(policy, verdicts),
    reasons,
    counted: byId(verdicts),
    dissent: [],
  };
}

/** Weighted upper median: the lowest level whose cumulative weight exceeds half the total. */
function medianLevel(policy: QuorumPolicy, eff: { v: SignedVerdict; level: RiskLevel }[]): RiskLevel {
  const sorted = [...eff].sort((a, b) => levelRank(a.level) - levelRank(b.level) || cmp(a.v, b.v));
  const w = (e: { v: SignedVerdict }) => policy.weights[e.v.verdict.validator_id] ?? 1;
  const total = sorted.reduce((s, e) => s + w(e), 0);
  let acc = 0;
  for (const e of sorted) {
    acc += w(e);
    if (acc * 2 > total) return e.level;
  }
  return sorted[sorted.length - 1]?.level ?? "HIGH";
}

function medianScore(policy: QuorumPolicy, verdicts: SignedVerdict[]): number {
  const sorted = [...verdicts].sort((a, b) => a.verdict.score - b.verdict.score || cmp(a, b));
  const w = (v: SignedVerdict) => policy.weights[v.verdict.validator_id] ?? 1;
  const total = sorted.reduce((s, v) => s + w(v), 0);
  let acc = 0;
  for (const v of sorted) {
    acc += w(v);
    if (acc * 2 > total) return v.verdict.score;
  }
  return 0;
}

function phantom(count: number, level: RiskLevel): SignedVerdict[] {
  return Array.from({ length: count }, (_, i) => ({
    verdict: {
      type: TypeTags.verdict,
      payment_id: "",
      attempt: 1,
      payment_digest: "",
      validator_id: `\uffff${i}`,
      risk_level: level,
      score: level === "LOW" ? 0 : 100,
      reasons: level === "CRITICAL" ? [{ code: "PHANTOM", message: "", rule_id: "phantom", inputs: { x: 1 } }] : [],
      rule_pack: "",
      evaluated_at: "",
    },
    signature: "",
  }));
}

const maxOf = (a: RiskLevel, b: RiskLevel): RiskLevel => (levelRank(a) >= levelRank(b) ? a : b);
const cmp = (a: SignedVerdict, b: SignedVerdict) =>
  a.verdict.validator_id < b.verdict.validator_id ? -1 : a.verdict.validator_id > b.verdict.validator_id ? 1 : 0;
const byId = (vs: SignedVerdict[]) => [...vs].sort(cmp);

/** One line per reason code, with how many validators gave it. */
export function summarise(verdicts: SignedVerdict[]): ReasonSummary[] {
  const byCode = new Map<string, ReasonSummary>();
  for (const v of verdicts) {
    for (const r of v.verdict.reasons) {
      const s = byCode.get(r.code);
      if (s) s.validators++;
      else
        byCode.set(r.code, {
          code: r.code,
          message: r.message,
          ...(r.rule_id ? { rule_id: r.rule_id } : {}),
          validators: 1,
        });
    }
  }
  return [...byCode.values()].sort((a, b) => b.validators - a.validators || (a.code < b.code ? -1 : 1));
}

export { RiskLevels };
