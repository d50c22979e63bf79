/**
 * Reputation, as the seed asks: how often each validator agrees with the final
 * outcome, how fast it answers, how often it is absent or refused. It moves
 * voting weights slowly and within bounds (½× to 1½× the configured weight,
 * at most 10% of it per epoch); an equivocation drops a validator to the floor
 * at once (and excludes it: `exclusions.ts`). Latency is only reported, never
 * weighed. Weights move only the reported level and score (the weighted
 * median), never a threshold. The weights in force are recorded in every
 * decision's policy.
 */
import type { Logger } from "../../lib/logger.ts";
import { effectiveLevel, type QuorumResult, type ValidatorSet } from "../../protocol/index.ts";
import type { Metrics } from "../metrics.ts";
import type { Observed } from "./aggregator.ts";

interface Record_ {
  base: number;
  weight: number;
  /** Exponentially weighted agreement with final outcomes, 0..1. */
  agreement: number;
  flagged: boolean;
}

const ALPHA = 0.02;
const EPOCH = 200;

export class Reputation {
  readonly #r = new Map<string, Record_>();
  readonly #metrics: Metrics | null;
  readonly #logger: Logger;
  #decisions = 0;

  constructor(set: ValidatorSet, metrics: Metrics | null, logger: Logger) {
    for (const v of set.validators)
      this.#r.set(v.id, { base: v.weight, weight: v.weight, agreement: 1, flagged: false });
    this.#metrics = metrics;
    this.#logger = logger;
    this.#publish();
  }

  weights(): Record<string, number> {
    return Object.fromEntries([...this.#r].map(([id, r]) => [id, r.weight]));
  }

  record(result: QuorumResult, o: Observed): void {
    const m = this.#metrics;
    for (const v of o.verdicts) {
      const r = this.#r.get(v.verdict.validator_id);
      if (!r) continue;
      const agreed = result.dissent.includes(v.verdict.validator_id) ? 0 : 1;
      r.agreement += ALPHA * (agreed - r.agreement);
      m?.validatorVerdicts.inc({
        validator: v.verdict.validator_id,
        agreed: agreed ? "yes" : "no",
        level: effectiveLevel(v),
      });
      const ms = o.latencies.get(v.verdict.validator_id);
      if (ms !== undefined) m?.validatorLatency.observe({ validator: v.verdict.validator_id }, ms / 1000);
    }
    for (const id of o.absent) {
      const r = this.#r.get(id);
      if (r) r.agreement += ALPHA * (0 - r.agreement);
      m?.validatorAbsent.inc({ validator: id });
    }
    for (const e of o.equivocations) this.flag(e.validator_id, "equivocation");
    if (++this.#decisions % EPOCH === 0) this.#epoch();
  }

  flag(id: string, why: string): void {
    const r = this.#r.get(id);
    if (!r || r.flagged) return;
    r.flagged = true;
    r.weight = r.base * 0.5;
    this.#metrics?.validatorFlagged.set({ validator: id }, 1);
    this.#logger.warn({ validator_id: id, why, weight: r.weight }, "validator flagged; weight cut to the floor");
    this.#publish();
  }

  #epoch(): void {
    for (const [id, r] of this.#r) {
      if (r.flagged) continue;
      const target = r.base * (0.5 + r.agreement);
      const step = Math.max(-0.1 * r.base, Math.min(0.1 * r.base, target - r.weight));
      const next = Math.round(Math.min(1.5 * r.base, Math.max(0.5 * r.base, r.weight + step)) * 1000) / 1000;
      if (next !== r.weight)
        this.#logger.info(
          { validator_id: id, from: r.weight, to: next, agreement: r.agreement },
          "validator weight changed",
        );
      r.weight = next;
    }
    this.#publish();
  }

  #publish(): void {
    for (const [id, r] of this.#r) {
      this.#metrics?.validatorWeight.set({ validator: id }, r.weight);
      this.#metrics?.validatorReputation.set({ validator: id }, r.agreement);
    }
  }
}
