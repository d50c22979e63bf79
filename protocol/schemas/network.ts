/** The validator set: who may vote, with which key, and how many must agree. */
import { z } from "zod";
import { ValidatorId } from "./fields.ts";

export const ValidatorEntry = z.object({
  id: ValidatorId,
  public_key: z.string().regex(/^[0-9a-f]{64}$/, "hex of a 32-byte Ed25519 public key"),
  weight: z.number().positive().default(1),
});
export type ValidatorEntry = z.infer<typeof ValidatorEntry>;

export const ValidatorSet = z
  .object({
    validators: z.array(ValidatorEntry).min(1),
    quorum: z.object({ k: z.number().int().min(1) }),
  })
  .superRefine((set, ctx) => {
    const ids = new Set(set.validators.map((v) => v.id));
    if (ids.size !== set.validators.length) ctx.addIssue({ code: "custom", message: "validator ids must be unique" });
    const keys = new Set(set.validators.map((v) => v.public_key));
    if (keys.size !== set.validators.length) ctx.addIssue({ code: "custom", message: "validator keys must be unique" });
    if (set.quorum.k > set.validators.length) {
      ctx.addIssue({ code: "custom", message: `quorum k=${set.quorum.k} exceeds n=${set.validators.length}` });
    }
  });
export type ValidatorSet = z.infer<typeof ValidatorSet>;
