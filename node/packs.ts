/**
 * The packs a validator scores with, each from the moment it takes effect.
 * A reloaded pack takes effect at a time every node derives alike (the
 * pack files' modification time plus a grace period), and a task is scored
 * by the pack in effect at the time the coordinator received it. So every
 * validator scores a given payment with the same pack, even around a swap.
 */
import type { CompiledPack, VelocitySpec } from "../rules/index.ts";

interface Scheduled {
  pack: CompiledPack;
  from: number;
}

export class PackSchedule {
  #packs: Scheduled[];

  constructor(initial: CompiledPack) {
    this.#packs = [{ pack: initial, from: 0 }];
  }

  /** The pack in effect at `time` (ms since the epoch). */
  at(time: number): CompiledPack {
    const p = this.#packs;
    for (let i = p.length - 1; i > 0; i--) if (p[i]!.from <= time) return p[i]!.pack;
    return p[0]!.pack;
  }

  /** The newest pack, whether or not it has taken effect. */
  get latest(): CompiledPack {
    return this.#packs[this.#packs.length - 1]!.pack;
  }

  /** Schedules `pack` from `from`; packs superseded before `now` are dropped. */
  schedule(pack: CompiledPack, from: number, now: number = Date.now()): void {
    const kept = this.#packs.filter((s) => s.from < from);
    kept.push({ pack, from });
    // Keep the last pack that took effect before `now` (late tasks may still need it) and all later ones.
    let firstLive = 0;
    for (let i = 0; i < kept.length; i++) if (kept[i]!.from <= now - 60_000) firstLive = i;
    this.#packs = kept.slice(firstLive);
  }

  /** Velocity definitions of every pack that may still score something. */
  specs(): VelocitySpec[][] {
    return this.#packs.map((s) => [...s.pack.velocity]);
  }
}
