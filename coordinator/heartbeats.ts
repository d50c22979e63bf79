/**
 * Which validators were heard from lately: their heartbeats on the bus, by id
 * (unknown ids are ignored). The `siq_validators_alive` gauge follows on its
 * own: set on every heartbeat, and again when one goes stale (a timer per
 * validator, pushed back by each beat), so `/metrics` is current without
 * anyone calling `/ready`.
 *
 * A heartbeat is a bare core-NATS signal: its subject's last token is the
 * validator id, only ids of the validator set count, and only a beat whose
 * payload is that same id (NATS permissions let only validator vN publish on
 * its heartbeat subject, but not what a JetStream push consumer is aimed at).
 */
import type { Bus } from "../lib/bus/index.ts";
import type { Topology, ValidatorSet } from "../protocol/index.ts";

export interface Heartbeats {
  /** Validators of the set heard from within the timeout. */
  alive(): number;
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
  const known = new Set(set.validators.map((v) => v.id));
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
  const decoder = new TextDecoder();
  const sub = bus.onSignal(t.subjects.heartbeatWildcard, (subject, data) => {
    const id = subject.slice(subject.lastIndexOf(".") + 1);
    if (!known.has(id) || data.length !== id.length || decoder.decode(data) !== id) return;
    lastSeen.set(id, Date.now());
    const timer = timers.get(id);
    if (timer) timer.refresh();
    else timers.set(id, expiry(id, timeoutMs));
    gauge?.set(alive());
  });
  return {
    alive,
    stop: () => {
      sub.stop();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}
