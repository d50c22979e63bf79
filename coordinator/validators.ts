/**
 * The operators' view of the validator set (`GET /v1/validators`) and their
 * one lever on it (`POST /v1/validators/{id}/reinstate`): health, weights,
 * whether a validator is excluded for equivocation and on what evidence.
 */
import { SiqError, type ValidatorList, type ValidatorSet } from "../protocol/index.ts";
import type { Handlers } from "./api/index.ts";
import type { Heartbeats } from "./heartbeats.ts";
import type { Trail } from "./log/index.ts";
import type { Exclusions, Reputation } from "./quorum/index.ts";

export interface ValidatorComponents {
  validatorSet: ValidatorSet;
  exclusions: Exclusions;
  reputation: Reputation;
  heartbeats: Heartbeats;
  policy: { n: number; f: number };
  trail: Trail;
}

export function validatorList(c: ValidatorComponents): ValidatorList {
  const weights = c.reputation.weights();
  return {
    validators: c.validatorSet.validators.map((v) => {
      const x = c.exclusions.get(v.id);
      return {
        id: v.id,
        alive: c.heartbeats.isAlive(v.id),
        base_weight: v.weight,
        weight: weights[v.id] ?? v.weight,
        excluded: x !== undefined,
        ...(x ? { evidence: x.evidence, excluded_at: x.at } : {}),
      };
    }),
    epoch: c.exclusions.epoch,
    quorum_safe: c.exclusions.safe(),
    n: c.policy.n,
    f: c.policy.f,
  };
}

export function validatorHandlers(c: ValidatorComponents): Pick<Handlers, "validatorsList" | "validatorReinstate"> {
  return {
    validatorsList: () => ({ body: validatorList(c) }),
    validatorReinstate: async ({ params, principal }) => {
      const by = principal?.role === "operator" ? principal.operator : "";
      if (!by) throw new SiqError("FORBIDDEN", "only an operator reinstates a validator");
      const r = await c.exclusions.reinstate(params.validator_id, by);
      await c.trail.record({
        actor: { kind: "operator", id: by, org: null },
        action: "validator.reinstated",
        target: { kind: "validator", id: r.validator_id },
        org: null,
        details: { epoch: r.epoch },
      });
      return { body: validatorList(c) };
    },
  };
}
