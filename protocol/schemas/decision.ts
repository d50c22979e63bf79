/** The quorum decision, which is also the verdict log's entry. */
import { z } from "zod";
import { canonicalBytes, type CanonicalBytes } from "../canonical.ts";
import { Decision, Hex64, Id, IsoTime, RiskLevel } from "./fields.ts";
import { ReasonSummary } from "./payment.ts";
import { SignedVerdict } from "./verdict.ts";

export const QuorumPolicy = z.object({
  name: z.string(),
  n: z.number().int().min(1),
  k: z.number().int().min(1),
  /** What a payment gets when no quorum forms: never approval. */
  fail_closed: z.enum(["challenge", "reject"]),
});
export type QuorumPolicy = z.infer<typeof QuorumPolicy>;

export const QuorumOutcomes = ["agreed", "no_agreement", "timeout"] as const;

export const QuorumDecision = z
  .object({
    type: z.literal("sentineliq.decision.v1"),
    payment_id: Id,
    payment_digest: Hex64,
    attempt: z.number().int().min(1),
    outcome: z.enum(QuorumOutcomes),
    decision: Decision,
    risk_level: RiskLevel,
    reasons: z.array(ReasonSummary),
    policy: QuorumPolicy,
    verdicts: z.array(SignedVerdict),
    decided_at: IsoTime,
  })
  .strict();
export type QuorumDecision = z.infer<typeof QuorumDecision>;

/** A log entry is the canonical bytes of a quorum decision (under 64 KiB). */
export const MAX_ENTRY_BYTES = 64 * 1024 - 1; // a tlog-tiles bundle entry has a 16-bit length

export function entryBytes(decision: QuorumDecision): CanonicalBytes {
  const bytes = canonicalBytes(decision);
  if (bytes.length > MAX_ENTRY_BYTES) throw new RangeError(`log entry is ${bytes.length} bytes, over ${MAX_ENTRY_BYTES}`);
  return bytes;
}
