/**
 * Which validators were heard from lately: their heartbeats on the bus, by id
 * (unknown ids are ignored). The `siq_validators_alive` gauge follows on its
 * own: set on every heartbeat, and again when one goes stale (a timer per
 * validator, pushed back by each beat), so `/metrics` is current without
 * anyone calling `/ready`.
 *
 * A heartbeat is signed by the validator's own key (protocol/heartbeat.ts).
 * It counts only for a validator of the set, on its own subject, with a valid
 * signature, a send time within the timeout, and later than the last beat
 * counted for it: anyone else on the bus cannot make an absent validator look
 * alive, and a replayed beat is ignored.
 */
import type { Bus } from "../lib/bus/index.ts";
import { readHeartbeat, Verifier, type Topology, type ValidatorSet } from "../protocol/index.ts";

export interface Heartbeats {
  /** Validators of the set heard from within the timeout. */
  alive(): number;
  /** Beats ignored: unknown id, bad signature, stale or replayed. */
  refused(): number;
  /** Whether this validator was heard from within the timeout. */
  isAlive(id: string): boolean;
  stop(): void;
}

/** What the count is reported to (the `siq_validators_alive` gauge), when metrics are on. */
export interface AliveGauge {
  set(value: number): void;
}

export function watchHeartbeats(
  bus: Bus,
  t: Topology,
  set: ValidatorSet,
  timeoutMs: number,
  gauge: AliveGauge | null = null,
): Heartbeats {
  const lastSeen = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  const verifiers = new Map(set.validators.map((v) => [v.id, new Verifier(Buffer.from(v.public_key, "hex"))]));
  const lastSent = new Map<string, number>();
  let refused = 0;
  const alive = () => {
    const now = Date.now();
    let n = 0;
    for (const at of lastSeen.values()) if (now - at < timeoutMs) n++;
    return n;
  };
  // Fires when `id`'s last beat goes stale (re-armed if a timer fires a little early).
  const expiry = (id: string, ms: number): NodeJS.Timeout => {
    const timer = setTimeout(() => {
      const left = (lastSeen.get(id) ?? 0) + timeoutMs - Date.now();
      if (left > 0) timers.set(id, expiry(id, left));
      else timers.delete(id);
      gauge?.set(alive());
    }, ms);
    timer.unref();
    return timer;
  };
  gauge?.set(0);
  const sub = bus.onSignal(t.subjects.heartbeatWildcard, (subject, data) => {
    const id = subject.slice(subject.lastIndexOf(".") + 1);
    const verifier = verifiers.get(id);
    const sentAt = verifier ? readHeartbeat(data, id, verifier, Date.now(), timeoutMs) : null;
    if (sentAt === null || sentAt <= (lastSent.get(id) ?? -1)) {
      refused++;
      return;
    }
    lastSent.set(id, sentAt);
    lastSeen.set(id, Date.now());
    const timer = timers.get(id);
    if (timer) timer.refresh();
    else timers.set(id, expiry(id, timeoutMs));
    gauge?.set(alive());
  });
  return {
    alive,
    refused: () => refused,
    isAlive: (id) => Date.now() - (lastSeen.get(id) ?? -Infinity) < timeoutMs,
    stop: () => {
      sub.stop();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
