/**
 * A validator's own memory of what it has seen: velocity windows, baselines,
 * travel and the payment graph, in memory. Every observation is counted once
 * per id, so a redelivered task, or a payment's second attempt after a
 * challenge, never counts twice. Features describe an observation against
 * what came before it; velocity windows include it.
 */
import type { Facts, VelocitySpec } from "../../rules/index.ts";
import { Baselines } from "./baseline.ts";
import { PaymentGraph, type GraphOptions } from "./graph.ts";
import { Travel } from "./travel.ts";
import { VelocityState } from "./velocity.ts";

export interface StateOptions {
  /** Ids remembered for de-duplication. */
  maxIds?: number;
  /** Observations kept to back-fill a velocity definition a new pack brings. */
  recent?: number;
  graph?: Partial<GraphOptions>;
}

export class ValidatorState {
  readonly velocity: VelocityState;
  readonly #baselines = new Baselines();
  readonly #travel = new Travel();
  readonly #graph: PaymentGraph;
  readonly #seen = new Set<string>();
  readonly #maxIds: number;

  constructor(opts: StateOptions = {}) {
    this.velocity = new VelocityState(opts.recent);
    this.#graph = new PaymentGraph(opts.graph);
    this.#maxIds = opts.maxIds ?? 500_000;
  }

  /**
   * Adds `baseline`, `agent`, `travel` and `graph` (from history before this
   * observation), counts the observation once (in every window of `track`), then
   * returns `velocity` for each set of definitions in `read` (one per pack
   * that will read the facts).
   */
  enrich(
    f: Facts,
    read: readonly (readonly VelocitySpec[])[],
    track: readonly (readonly VelocitySpec[])[] = read,
  ): Record<string, number>[] {
    const payment = f.kind === "payment";
    if (payment) {
      const { baseline, agent } = this.#baselines.features(f);
      f.baseline = baseline;
      f.agent = agent;
      f.graph = this.#graph.features(f);
    }
    const travel = this.#travel.features(f);
    if (travel) f.travel = travel;
    for (const s of track) this.velocity.track(s);
    const id = `${f.kind === "payment" ? "p" : "e"}:${f.id as string}`;
    if (!this.#seen.has(id)) {
      this.#remember(id);
      this.velocity.observe(f);
      this.#travel.observe(f);
      if (payment) {
        this.#baselines.observe(f);
        this.#graph.observe(f);
      }
    }
    return read.map((s) => this.velocity.read(s, f));
  }

  #remember(id: string): void {
    this.#seen.add(id);
    if (this.#seen.size > this.#maxIds) this.#seen.delete(this.#seen.values().next().value!);
  }
}
