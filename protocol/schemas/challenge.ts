/** The challenge loop's wire types: the request an agent gets, its answer, and their log records. */
import { z } from "zod";
import { Hex64, Id, IsoTime } from "./fields.ts";
import { ChallengeKind, Evidence } from "./verdict.ts";
import { readTag, TypeTags } from "../tags.ts";
import { safeJson } from "./safe.ts";

export const Challenge = z.object({
  challenge_id: z.string(),
  kind: ChallengeKind,
  /** The fields `responses` must carry. */
  requested: z.array(z.string()),
  /** Fresh per challenge; validators see it with the evidence. */
  nonce: z.string(),
  expires_at: IsoTime,
  /** The attempt this challenge follows. */
  attempt: z.number().int().min(1),
  issued_at: IsoTime,
});
export type Challenge = z.infer<typeof Challenge>;

export const ChallengeResponseRequest = safeJson(
  z
    .object({
      challenge_id: z.string().min(1).max(64),
      /** The open challenge's nonce: required, and good for one answer. */
      nonce: z.string().min(1).max(128),
      responses: Evidence.refine(
        (r) => JSON.stringify(r).length <= 16 * 1024,
        "responses must be at most 16 KiB of JSON",
      ),
    })
    .strict(),
);
export type ChallengeResponseRequest = z.infer<typeof ChallengeResponseRequest>;

/** An approver's approval or refusal of a challenge (`POST /v1/challenges/{id}/approve|decline`). */
export const ChallengeReviewRequest = safeJson(
  z
    .object({
      /** Why, for the record (its digest is logged). */
      note: z.string().max(1024).optional(),
    })
    .strict(),
);
export type ChallengeReviewRequest = z.infer<typeof ChallengeReviewRequest>;

export const ChallengeParams = z
  .object({ challenge_id: z.string().regex(/^ch_[0-9A-Z]{26}$/, "a challenge id") })
  .strict();

/**
 * Log records of the loop: issued, answered, reviewed by an approver, expired.
 * Evidence itself stays with the payment; its digest is logged.
 */
export const ChallengeRecord = z.discriminatedUnion("type", [
  z
    .object({ type: z.literal(TypeTags.challenge), payment_id: Id, payment_digest: Hex64, challenge: Challenge })
    .strict(),
  z
    .object({
      type: readTag("challenge_response"),
      payment_id: Id,
      challenge_id: z.string(),
      attempt: z.number().int().min(2),
      evidence_digest: Hex64,
      received_at: IsoTime,
    })
    .strict(),
  z
    .object({
      type: z.literal(TypeTags.challenge_review),
      payment_id: Id,
      challenge_id: z.string(),
      decision: z.enum(["approve", "decline"]),
      /** Who: the approver's id in their organisation. */
      approver: Id,
      tenant_id: Id,
      /** The attempt the approval starts (approve), or the one the refusal ends (decline). */
      attempt: z.number().int().min(1),
      evidence_digest: Hex64.optional(),
      note_digest: Hex64.optional(),
      reviewed_at: IsoTime,
    })
    .strict(),
  z
    .object({
      type: readTag("challenge_expired"),
      payment_id: Id,
      challenge_id: z.string(),
      expired_at: IsoTime,
    })
    .strict(),
]);
export type ChallengeRecord = z.infer<typeof ChallengeRecord>;

/**
 * What each kind asks for. A step-up asks for nothing the agent can send: an approver of the
 * organisation confirms it out of band (`POST /v1/challenges/{id}/approve`).
 */
export const REQUESTED: Record<ChallengeKind, string[]> = {
  proof_of_purpose: ["purpose", "reference"],
  logs: ["logs"],
  metadata: ["metadata"],
  step_up: ["approver_confirmation"],
};
