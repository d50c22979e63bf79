/**
 * Event verdicts: signing, checking, and the quorum rule for events. The rule
 * is the payments' one (k agreeing verdicts decide; otherwise fail closed at
 * the upper median, never an approval), public so an auditor recomputes every
 * logged event decision from its verdicts.
 */
import type { Signer, Verifier } from "./crypto.ts";
import { decisionFor, levelRank, RiskLevels, type Decision, type RiskLevel } from "./schemas/fields.ts";
import type { QuorumPolicy } from "./schemas/decision.ts";
import { eventVerdictBytes, type EventDecision, type EventVerdict, type SignedEventVerdict } from "./schemas/event.ts";
import type { ReasonSummary } from "./schemas/payment.ts";

export function signEventVerdict(signer: Signer, verdict: EventVerdict): SignedEventVerdict {
  return { verdict, signature: signer.sign(eventVerdictBytes(verdict)).toString("base64") };
}

export function verifyEventVerdict(verifier: Verifier, signed: SignedEventVerdict): boolean {
  return verifier.verify(eventVerdictBytes(signed.verdict), Buffer.from(signed.signature, "base64"));
}

export interface EventQuorumResult {
  outcome: EventDecision["outcome"];
  risk_level: RiskLevel;
  decision: Decision;
  reasons: ReasonSummary[];
}

/** `verdicts` are verified and from distinct validators. `final`: all have voted or time is up. */
export function decideEventQuorum(policy: QuorumPolicy, verdicts: SignedEventVerdict[], final: boolean): EventQuorumResult | null {
  const counts = new Map<RiskLevel, SignedEventVerdict[]>();
  for (const v of verdicts) counts.set(v.verdict.risk_level, [...(counts.get(v.verdict.risk_level) ?? []), v]);
  let agreed: RiskLevel | undefined;
  for (const [level, group] of counts) {
    if (group.length >= policy.k && (agreed === undefined || levelRank(level) > levelRank(agreed))) agreed = level;
  }
  if (agreed !== undefined) {
    return { outcome: "agreed", risk_level: agreed, decision: decisionFor(agreed), reasons: summariseEvents(counts.get(agreed)!) };
  }
  if (!final && verdicts.length < policy.n) return null;
  const outcome = verdicts.length < policy.n ? "timeout" : "no_agreement";
  const ranks = verdicts.map((v) => levelRank(v.verdict.risk_level)).sort((a, b) => a - b);
  const median = ranks.length === 0 ? 2 : ranks[Math.floor(ranks.length / 2)]!;
  const level = RiskLevels[Math.max(median, 1)]!;
  const natural = decisionFor(level);
  const reasons = summariseEvents(verdicts);
  reasons.unshift({
    code: outcome === "timeout" ? "QUORUM_TIMEOUT" : "QUORUM_NOT_REACHED",
    message: `no ${policy.k} of ${policy.n} validators agreed on the event's risk level`,
    validators: verdicts.length,
  });
  return { outcome, risk_level: level, decision: natural === "reject" ? "reject" : policy.fail_closed, reasons };
}

function summariseEvents(verdicts: SignedEventVerdict[]): ReasonSummary[] {
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
