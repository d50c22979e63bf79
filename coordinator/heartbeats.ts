/** Which validators were heard from lately: their heartbeats on the bus, by id (unknown ids are ignored). */
import type { Bus } from "../lib/bus/index.ts";
import type { Topology, ValidatorSet } from "../protocol/index.ts";

export interface Heartbeats {
  /** Validators of the set heard from within the timeout. */
  alive(): number;
  stop(): void;
}

export function watchHeartbeats(bus: Bus, t: Topology, set: ValidatorSet, timeoutMs: number): Heartbeats {
  const lastSeen = new Map<string, number>();
  const known = new Set(set.validators.map((v) => v.id));
  const sub = bus.onSignal(t.subjects.heartbeatWildcard, (subject) => {
    const id = subject.slice(subject.lastIndexOf(".") + 1);
    if (known.has(id)) lastSeen.set(id, Date.now());
  });
  return {
    alive: () => [...lastSeen.values()].filter((at) => Date.now() - at < timeoutMs).length,
    stop: () => sub.stop(),
  };
}
