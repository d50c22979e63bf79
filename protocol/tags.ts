/**
 * Every type tag: the `type` of each signed, hashed, logged or published
 * object, and the domain of each digest. One style, "sentineliq.<snake_case>.v<N>".
 * A tag is never edited: a changed object gets a new version, and the tag it
 * replaces stays in `LegacyTags`, still accepted where old log entries, bus
 * messages or signatures are read, and never written again.
 */
import { z } from "zod";

/** Each tag's name and current version: its tag is "sentineliq.<name>.v<version>". */
const versions = {
  key: 1,
  payment: 1,
  task: 1,
  verdict: 1,
  verdict_batch: 2,
  decision: 1,
  equivocation: 1,
  challenge: 1,
  challenge_response: 2,
  challenge_expired: 2,
  /** An approver of the organisation approved or declined a challenge. */
  challenge_review: 1,
  event_request: 2,
  event_task: 1,
  event_verdict: 1,
  event: 1,
  audit: 1,
  audit_state: 2,
  settle: 1,
  /** The domain of a simulated settlement's transaction hash. */
  simulated: 1,
  log_append: 2,
  /** A bus message an actor gave up on, kept in the dead-letter stream. */
  dead_letter: 1,
  /** A validator's signed liveness beacon (core NATS, not stored). */
  heartbeat: 1,
  /** A validator excluded for equivocation evidence, or reinstated by an operator (a log entry). */
  validator_status: 1,
  /** The domain of the coordinator's signature on what it publishes (bus-signature.ts). */
  bus_message: 1,
  /** An auditor's signed approval or revocation (audit/statement.ts). */
  audit_statement: 1,
  /** Entries the log bench (cli/bench/log.ts) sequences: decision-shaped, never written to a real log. */
  bench_decision: 1,
  /** A data subject's erasure (privacy): which entries were redacted, by whom, when; the subject only as a keyed hash. */
  erasure: 1,
  /** What replaces an erased entry's stored bytes: its index, its leaf hash (the tiles keep it) and the erasure's index. */
  redacted: 1,
  /** A people or system change (the audit trail): actor, action, target, signed by the coordinator's log key. */
  admin: 1,
} as const;
type Versions = typeof versions;

export const TypeTags = Object.fromEntries(
  Object.entries(versions).map(([name, v]) => [name, `sentineliq.${name}.v${v}`]),
) as { readonly [K in keyof Versions]: `sentineliq.${K}.v${Versions[K]}` };
export type TypeTagName = keyof typeof TypeTags;

/** The tags the v2s replaced (before one style), by name: read, never written. */
const legacy = [
  ["verdict_batch", "sentineliq.verdict-batch.v1"],
  ["challenge_response", "sentineliq.challenge-response.v1"],
  ["challenge_expired", "sentineliq.challenge-expired.v1"],
  ["event_request", "sentineliq.eventreq.v1"],
  ["audit_state", "sentineliq.auditstate.v1"],
  ["log_append", "sentineliq.logappend.v1"],
] as const satisfies readonly (readonly [TypeTagName, string])[];

export const LegacyTags = Object.fromEntries(legacy) as { readonly [E in (typeof legacy)[number] as E[0]]: E[1] };

/** The one style every current tag has. */
export const TYPE_TAG_STYLE = /^sentineliq\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*\.v[1-9][0-9]*$/;

/** A `type` field that reads the current tag or the legacy one it replaced. */
export function readTag<K extends keyof typeof LegacyTags>(name: K) {
  return z.enum([TypeTags[name], LegacyTags[name]]);
}
