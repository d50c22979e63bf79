/**
 * Behavioural baselines: each agent's own history of payments (amounts,
 * receivers, hours of day), and the trust profile that follows from it.
 * Features describe a payment against the history *before* it.
 */
import type { Facts } from "../../rules/index.ts";

export interface BaselineFeatures {
  /** Payments seen from this agent before this one. */
  payments: number;
  amount_mean: number;
  /** How many standard deviations this amount is from the agent's mean (0 without history). */
  amount_z: number;
  /** The agent never paid this receiver before. */
  new_receiver: boolean;
  /** Hours since the agent first paid this receiver (0 when it never did). */
  receiver_age_hours: number;
  /** Share of the agent's payments made within an hour of this hour of day. */
  hour_share: number;
  /** At least 20 payments of history, under 2% of them within an hour of this hour of day. */
  unusual_hour: boolean;
}

export interface AgentProfile {
  payments: number;
  age_hours: number;
  /** new (under 5 payments or 24 h), trusted (100+ payments over 30+ days), else established. */
  tier: "new" | "established" | "trusted";
}

interface Profile {
  n: number;
  mean: number;
  m2: number;
  /** Receiver → when the agent first paid it. */
  receivers: Map<string, number>;
  hours: Uint32Array;
  firstSeen: number;
}

const MAX_RECEIVERS = 10_000;
const MIN_HISTORY_Z = 5;
const MIN_HISTORY_HOUR = 20;

export class Baselines {
  readonly #profiles = new Map<string, Profile>();

  features(f: Facts): { baseline: BaselineFeatures; agent: AgentProfile } {
    const p = this.#profiles.get(keyOf(f));
    const time = f.time as number;
    if (!p) {
      return {
        baseline: {
          payments: 0,
          amount_mean: 0,
          amount_z: 0,
          new_receiver: true,
          receiver_age_hours: 0,
          hour_share: 0,
          unusual_hour: false,
        },
        agent: { payments: 0, age_hours: 0, tier: "new" },
      };
    }
    const amount = f.amount as number;
    const std = Math.sqrt(p.n > 1 ? p.m2 / (p.n - 1) : 0);
    // A floor on the spread, so an agent that always pays the same amount is not infinitely surprised.
    const spread = Math.max(std, Math.abs(p.mean) * 0.1, 0.01);
    const hour = f.hour as number;
    const near = p.hours[hour]! + p.hours[(hour + 1) % 24]! + p.hours[(hour + 23) % 24]!;
    const share = near / p.n;
    const age = (time - p.firstSeen) / 3_600_000;
    const firstPaid = p.receivers.get(f.receiver as string);
    return {
      baseline: {
        payments: p.n,
        amount_mean: round(p.mean),
        amount_z: p.n >= MIN_HISTORY_Z ? round((amount - p.mean) / spread) : 0,
        new_receiver: firstPaid === undefined,
        receiver_age_hours: firstPaid === undefined ? 0 : round((time - firstPaid) / 3_600_000),
        hour_share: round(share),
        unusual_hour: p.n >= MIN_HISTORY_HOUR && share < 0.02,
      },
      agent: {
        payments: p.n,
        age_hours: round(age),
        tier: p.n < 5 || age < 24 ? "new" : p.n >= 100 && age >= 720 ? "trusted" : "established",
      },
    };
  }

  observe(f: Facts): void {
    const key = keyOf(f);
    let p = this.#profiles.get(key);
    if (!p)
      this.#profiles.set(
        key,
        (p = { n: 0, mean: 0, m2: 0, receivers: new Map(), hours: new Uint32Array(24), firstSeen: f.time as number }),
      );
    const x = f.amount as number;
    p.n++;
    const d = x - p.mean;
    p.mean += d / p.n;
    p.m2 += d * (x - p.mean);
    if (p.receivers.size < MAX_RECEIVERS && !p.receivers.has(f.receiver as string))
      p.receivers.set(f.receiver as string, f.time as number);
    p.hours[f.hour as number]!++;
    if ((f.time as number) < p.firstSeen) p.firstSeen = f.time as number;
  }
}

function keyOf(f: Facts): string {
  return `${f.tenant_id as string}\u0000${f.subject as string}`;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
