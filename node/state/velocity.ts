/**
 * Velocity state: for every velocity definition any loaded pack uses, a
 * sliding window per (tenant, key). Definitions are keyed by their signature,
 * so a reloaded pack that keeps a definition keeps its history, and a new
 * definition is back-filled from the recent observations the state retains.
 */
import type { Facts, VelocitySpec } from "../../rules/index.ts";
import { Window } from "./window.ts";

interface Tracked {
  spec: VelocitySpec;
  windows: Map<string, Window>;
}

export class VelocityState {
  readonly #tracked = new Map<string, Tracked>();
  readonly #recent: Facts[] = [];
  readonly #recentMax: number;
  #sinceSweep = 0;

  constructor(recentMax = 50_000) {
    this.#recentMax = recentMax;
  }

  /** Starts tracking any definition not yet tracked, replaying the retained observations into it. */
  track(specs: readonly VelocitySpec[]): void {
    for (const spec of specs) {
      if (this.#tracked.has(spec.signature)) continue;
      const t: Tracked = { spec, windows: new Map() };
      this.#tracked.set(spec.signature, t);
      for (const f of this.#recent) this.#add(t, f);
    }
  }

  /** Counts one observation in every tracked window it belongs to (call once per id). */
  observe(f: Facts): void {
    for (const t of this.#tracked.values()) this.#add(t, f);
    this.#recent.push(f);
    if (this.#recent.length > this.#recentMax) this.#recent.splice(0, this.#recent.length - this.#recentMax);
    if (++this.#sinceSweep >= 10_000) this.#sweep(f.time as number);
  }

  /** `velocity.<name>` for each definition of one pack, as of the observation's time. */
  read(specs: readonly VelocitySpec[], f: Facts): Record<string, number> {
    const out: Record<string, number> = {};
    for (const spec of specs) {
      const key = spec.key(f);
      const w =
        key === undefined
          ? undefined
          : this.#tracked.get(spec.signature)?.windows.get(`${f.tenant_id as string}\u0000${key}`);
      out[spec.name] = w ? w.read(spec.kind, f.time as number, spec.windowMs) : 0;
    }
    return out;
  }

  #add(t: Tracked, f: Facts): void {
    const spec = t.spec;
    if (!spec.where(f)) return;
    const key = spec.key(f);
    if (key === undefined) return;
    const value = spec.kind === "count" ? 1 : spec.value(f);
    if (spec.kind === "sum" && typeof value !== "number") return;
    if (spec.kind === "distinct" && (value === undefined || value === null)) return;
    const k = `${f.tenant_id as string}\u0000${key}`;
    let w = t.windows.get(k);
    if (!w) t.windows.set(k, (w = new Window()));
    w.add(f.time as number, value, spec.windowMs);
  }

  /** Forgets keys whose windows have emptied. */
  #sweep(now: number): void {
    this.#sinceSweep = 0;
    for (const t of this.#tracked.values()) {
      for (const [k, w] of t.windows) {
        w.expire(now - t.spec.windowMs);
        if (w.empty) t.windows.delete(k);
      }
    }
  }
}
