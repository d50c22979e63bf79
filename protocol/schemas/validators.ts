/**
 * Validator standing: a validator caught equivocating is excluded (its
 * verdicts are logged, never counted) until an operator reinstates it. Each
 * change is a log entry (`sentineliq.validator_status.v1`) numbered by an
 * epoch, so `log verify` rebuilds the excluded set of every decision.
 */
import { z } from "zod";
import { Id, IsoTime, ValidatorId } from "./fields.ts";
import { SignedVerdict } from "./verdict.ts";
import { TypeTags } from "../tags.ts";

/** Two different signed verdicts of one validator for one payment attempt. */
export const EquivocationEvidence = z
  .object({
    payment_id: Id,
    attempt: z.number().int().min(1),
    verdicts: z.tuple([SignedVerdict, SignedVerdict]),
  })
  .strict();
export type EquivocationEvidence = z.infer<typeof EquivocationEvidence>;

const statusFields = {
  type: z.literal(TypeTags.validator_status),
  validator_id: ValidatorId,
  /** The number of exclusions and reinstatements in the log, this one included. */
  epoch: z.number().int().min(1),
  /** The excluded set once this change applies, sorted. */
  excluded: z.array(ValidatorId),
  at: IsoTime,
};

export const ValidatorStatusRecord = z.discriminatedUnion("action", [
  z.object({ ...statusFields, action: z.literal("exclude"), evidence: EquivocationEvidence }).strict(),
  z.object({ ...statusFields, action: z.literal("reinstate"), by: z.string().min(1).max(64) }).strict(),
]);
export type ValidatorStatusRecord = z.infer<typeof ValidatorStatusRecord>;

/** One validator as `GET /v1/validators` shows it. */
export const ValidatorView = z.object({
  id: ValidatorId,
  /** Heard from (heartbeat) within the timeout. */
  alive: z.boolean(),
  /** Configured weight and the weight in force (reputation moves only the reported level and score). */
  base_weight: z.number(),
  weight: z.number(),
  excluded: z.boolean(),
  /** The equivocation evidence it was excluded on. */
  evidence: EquivocationEvidence.optional(),
  excluded_at: IsoTime.optional(),
});
export type ValidatorView = z.infer<typeof ValidatorView>;

export const ValidatorList = z.object({
  validators: z.array(ValidatorView),
  epoch: z.number().int().min(0),
  /** The validators left still tolerate f faults (n − excluded ≥ 3f + 1); if not, payments fail closed. */
  quorum_safe: z.boolean(),
  n: z.number().int(),
  f: z.number().int(),
});
export type ValidatorList = z.infer<typeof ValidatorList>;

export const ValidatorParams = z.object({ validator_id: ValidatorId }).strict();
export const ReinstateRequest = z.object({ reason: z.string().min(1).max(500).optional() }).strict();
