/**
 * The quorum rule, as a pure function of the verified verdicts. It lives in
 * `protocol/` because it is public: an auditor recomputes every logged
 * decision from its verdicts with this same function.
 *
 * - k verdicts agreeing on one level decide it (several such groups: the
 *   highest level wins);
 * - otherwise, once every validator has voted or the deadline has passed, the
 *   payment fails closed: the upper median level, and never an approval.
 */
import { decisionFor, levelRank, type Decision, type RiskLevel } from "./schemas/fields.ts";
import type { QuorumPolicy } from "./schemas/decision.ts";
import type { ReasonSummary } from "./schemas/payment.ts";
import type { SignedVerdict } from "./schemas/verdict.ts";

export interface QuorumResult {
  outcome: "agreed" | "no_agreement" | "timeout";
  risk_level: RiskLevel;
  decision: Decision;
  reasons: ReasonSummary[];
  /** The verdicts the result rests on, in validator-id order. */
  counted: SignedVerdict[];
}

/** `verdicts` are verified and from distinct validators. `final`: all have voted or time is up. */
export function decideQuorum(policy: QuorumPolicy, verdicts: SignedVerdict[], final: boolean): QuorumResult | null {
  const groups = new Map<RiskLevel, SignedVerdict[]>();
  for (const v of verdicts) {
    const g = groups.get(v.verdict.risk_level);
    if (g) g.push(v);
    else groups.set(v.verdict.risk_level, [v]);
  }
  let agreed: RiskLevel | undefined;
  for (const [level, group] of groups) {
    if (group.length >= policy.k && (agreed === undefined || levelRank(level) > levelRank(agreed))) agreed = level;
  }
  if (agreed !== undefined) {
    const counted = sortById(groups.get(agreed)!);
    return { outcome: "agreed", risk_level: agreed, decision: decisionFor(agreed), reasons: summarise(counted), counted };
  }
  if (!final && verdicts.length < policy.n) return null;

  const counted = sortById(verdicts);
  const outcome = verdicts.length < policy.n ? "timeout" : "no_agreement";
  const levels = counted.map((v) => levelRank(v.verdict.risk_level)).sort((a, b) => a - b);
  const median = levels.length === 0 ? 2 : levels[Math.floor(levels.length / 2)]!;
  const level = (["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const)[Math.max(median, 1)]!;
  const natural = decisionFor(level);
  const decision: Decision = natural === "reject" ? "reject" : policy.fail_closed;
  const reasons = summarise(counted);
  reasons.unshift({
    code: outcome === "timeout" ? "QUORUM_TIMEOUT" : "QUORUM_NOT_REACHED",
    message:
      outcome === "timeout"
        ? `only ${verdicts.length} of ${policy.n} validators voted before the deadline; ${policy.k} must agree`
        : `no ${policy.k} of ${policy.n} validators agreed on a risk level`,
    validators: verdicts.length,
  });
  return { outcome, risk_level: level, decision, reasons, counted };
}

function sortById(vs: SignedVerdict[]): SignedVerdict[] {
  return [...vs].sort((a, b) => (a.verdict.validator_id < b.verdict.validator_id ? -1 : 1));
}

/** One line per reason code, with how many validators gave it. */
export function summarise(verdicts: SignedVerdict[]): ReasonSummary[] {
  const byCode = new Map<string, ReasonSummary>();
  for (const v of verdicts) {
    for (const r of v.verdict.reasons) {
      const s = byCode.get(r.code);
      if (s) s.validators++;
      else byCode.set(r.code, { ...r, validators: 1 });
    }
  }
  return [...byCode.values()].sort((a, b) => b.validators - a.validators || (a.code < b.code ? -1 : 1));
}
