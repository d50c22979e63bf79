/**
 * Which validators are alive, from their heartbeats. `siq_validators_alive`
 * follows on its own: set on every heartbeat, and again when one goes stale
 * (a timer per validator, pushed back by each beat), so `/metrics` is current
 * without anyone calling `/ready`.
 *
 * A heartbeat is a bare core-NATS signal: only its subject's last token (the
 * validator id) is read, and only ids of the validator set count.
 */
import type { Bus } from "../lib/bus/types.ts";

export interface LivenessComponents {
  bus: Bus;
  /** The heartbeat wildcard subject, `<ns>.v1.heartbeat.*`. */
  subject: string;
  validatorIds: readonly string[];
  /** A validator not heard from for this long is not alive. */
  timeoutMs: number;
  /** The gauge to keep current, when metrics are on. */
  gauge: { set(value: number): void } | null;
}

export class Liveness {
  readonly #c: LivenessComponents;
  readonly #known: ReadonlySet<string>;
  readonly #lastSeen = new Map<string, number>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #sub: { stop(): void } | undefined;

  constructor(c: LivenessComponents) {
    this.#c = c;
    this.#known = new Set(c.validatorIds);
  }

  start(): void {
    this.#c.gauge?.set(0);
    this.#sub = this.#c.bus.onSignal(this.#c.subject, (subject) => this.#beat(subject));
  }

  stop(): void {
    this.#sub?.stop();
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  /** Validators heard from within the timeout. */
  alive(now = Date.now()): number {
    let n = 0;
    for (const at of this.#lastSeen.values()) if (now - at < this.#c.timeoutMs) n++;
    return n;
  }

  #beat(subject: string): void {
    const id = subject.slice(subject.lastIndexOf(".") + 1);
    if (!this.#known.has(id)) return;
    this.#lastSeen.set(id, Date.now());
    const timer = this.#timers.get(id);
    if (timer) timer.refresh();
    else this.#timers.set(id, this.#expiry(id, this.#c.timeoutMs));
    this.#c.gauge?.set(this.alive());
  }

  /** Fires when `id`'s last beat goes stale (re-armed if a timer fires a little early). */
  #expiry(id: string, ms: number): NodeJS.Timeout {
    const t = setTimeout(() => {
      const left = (this.#lastSeen.get(id) ?? 0) + this.#c.timeoutMs - Date.now();
      if (left > 0) this.#timers.set(id, this.#expiry(id, left));
      else this.#timers.delete(id);
      this.#c.gauge?.set(this.alive());
    }, ms);
    t.unref();
    return t;
  }
}
