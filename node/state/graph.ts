/**
 * The payment graph, for round-tripping: when s pays r, is there a chain of
 * earlier payments r → … → s, each hop no earlier than the one before it, all
 * within the window? Then this payment closes a cycle. Fan-in and fan-out are
 * velocity aggregates (distinct senders per receiver, distinct receivers per
 * sender) and need no graph.
 */
import type { Facts } from "../../rules/index.ts";

export interface GraphFeatures {
  /** Length of the shortest cycle this payment closes (0: none). */
  cycle_length: number;
  /** The accounts on that cycle, starting with the receiver. */
  cycle_path: string[];
}

interface Edge {
  to: string;
  time: number;
}

export interface GraphOptions {
  windowMs: number;
  /** Longest cycle looked for, in payments. */
  maxLength: number;
  /** Work bound per search, in edges followed. */
  maxVisits: number;
}

const DEFAULTS: GraphOptions = { windowMs: 7 * 86_400_000, maxLength: 6, maxVisits: 20_000 };

export class PaymentGraph {
  readonly #out = new Map<string, Edge[]>();
  readonly #o: GraphOptions;
  #sinceSweep = 0;

  constructor(opts: Partial<GraphOptions> = {}) {
    this.#o = { ...DEFAULTS, ...opts };
  }

  features(f: Facts): GraphFeatures {
    const tenant = f.tenant_id as string;
    const s = `${tenant}\u0000${f.sender as string}`;
    const r = `${tenant}\u0000${f.receiver as string}`;
    const path = s === r ? null : this.#search(r, s, f.time as number);
    const strip = (k: string) => k.slice(tenant.length + 1);
    return path ? { cycle_length: path.length, cycle_path: path.map(strip) } : { cycle_length: 0, cycle_path: [] };
  }

  observe(f: Facts): void {
    const tenant = f.tenant_id as string;
    const s = `${tenant}\u0000${f.sender as string}`;
    const edges = this.#out.get(s);
    const e = { to: `${tenant}\u0000${f.receiver as string}`, time: f.time as number };
    if (edges) edges.push(e);
    else this.#out.set(s, [e]);
    if (++this.#sinceSweep >= 50_000) this.#sweep(e.time);
  }

  /** Breadth-first over time-respecting paths from `start` to `goal`: the nodes of the shortest, or null. */
  #search(start: string, goal: string, now: number): string[] | null {
    const from = now - this.#o.windowMs;
    const arrived = new Map<string, number>([[start, from]]);
    const parent = new Map<string, string>();
    let frontier = [start];
    let visits = 0;
    for (let depth = 1; depth < this.#o.maxLength && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const node of frontier) {
        const at = arrived.get(node)!;
        for (const e of this.#out.get(node) ?? []) {
          if (++visits > this.#o.maxVisits) return null;
          if (e.time < at || e.time > now) continue;
          if (e.to === goal) {
            const chain = [node];
            for (let p = parent.get(node); p !== undefined; p = parent.get(p)) chain.push(p);
            return [...chain.reverse(), goal];
          }
          if (!arrived.has(e.to)) {
            next.push(e.to);
            arrived.set(e.to, e.time);
            parent.set(e.to, node);
          }
        }
      }
      frontier = next;
    }
    return null;
  }

  #sweep(now: number): void {
    this.#sinceSweep = 0;
    const cutoff = now - this.#o.windowMs;
    for (const [k, edges] of this.#out) {
      const kept = edges.filter((e) => e.time > cutoff);
      if (kept.length === 0) this.#out.delete(k);
      else if (kept.length !== edges.length) this.#out.set(k, kept);
    }
  }
}
