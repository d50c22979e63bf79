/** The challenge loop's wire types: the request an agent gets, its answer, and their log records. */
import { z } from "zod";
import { Hex64, Id, IsoTime } from "./fields.ts";
import { ChallengeKind, Evidence } from "./verdict.ts";
import { readTag, TypeTags } from "../tags.ts";

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

export const ChallengeResponseRequest = z
  .object({
    challenge_id: z.string().min(1).max(64),
    nonce: z.string().max(128).optional(),
    responses: Evidence.refine(
      (r) => JSON.stringify(r).length <= 16 * 1024,
      "responses must be at most 16 KiB of JSON",
    ),
  })
  .strict();
export type ChallengeResponseRequest = z.infer<typeof ChallengeResponseRequest>;

/** Log records of the loop: issued, answered, expired. Evidence itself stays with the payment; its digest is logged. */
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
      type: readTag("challenge_expired"),
      payment_id: Id,
      challenge_id: z.string(),
      expired_at: IsoTime,
    })
    .strict(),
]);
export type ChallengeRecord = z.infer<typeof ChallengeRecord>;

/** What each kind asks for. */
export const REQUESTED: Record<ChallengeKind, string[]> = {
  proof_of_purpose: ["purpose", "reference"],
  logs: ["logs"],
  metadata: ["metadata"],
  step_up: ["confirmed", "confirmed_by"],
};
