/** Choosing what to ask (pure): the kind most validators' rules asked for, else one that fits the reasons. */
import { randomBytes } from "node:crypto";
import { ulid } from "../../lib/ids.ts";
import {
  ChallengeKinds,
  REQUESTED,
  type Challenge,
  type ChallengeKind,
  type QuorumResult,
} from "../../protocol/index.ts";

const BY_REASON: Record<string, ChallengeKind> = {
  AMOUNT_OVER_LIMIT: "proof_of_purpose",
  UNAUDITED_CODE_PATH: "logs",
  NO_CODE_LINEAGE: "logs",
};

export function challengeKind(result: QuorumResult): ChallengeKind {
  const votes = new Map<ChallengeKind, number>();
  for (const v of result.counted)
    for (const k of v.verdict.challenge_kinds ?? []) votes.set(k, (votes.get(k) ?? 0) + 1);
  if (votes.size > 0) {
    return [...votes].sort((a, b) => b[1] - a[1] || ChallengeKinds.indexOf(a[0]) - ChallengeKinds.indexOf(b[0]))[0]![0];
  }
  for (const r of result.reasons) if (BY_REASON[r.code]) return BY_REASON[r.code]!;
  return "proof_of_purpose";
}

export function newChallenge(result: QuorumResult, attempt: number, now: Date, ttlMs: number): Challenge {
  const kind = challengeKind(result);
  return {
    challenge_id: `ch_${ulid(now.getTime())}`,
    kind,
    requested: REQUESTED[kind],
    nonce: randomBytes(16).toString("hex"),
    expires_at: new Date(now.getTime() + ttlMs).toISOString(),
    attempt,
    issued_at: now.toISOString(),
  };
}
