/**
 * Counts every actor's dead letters (see lib/bus/quarantine.ts) as they are
 * published, the validators' included: they serve no metrics of their own.
 * A plain subscription: the letters themselves stay in the dead-letter stream.
 */
import type { Bus } from "../lib/bus/index.ts";
import type { Topology } from "../protocol/index.ts";
import type { Metrics } from "./metrics.ts";

export function countDeadLetters(bus: Bus, t: Topology, metrics: Metrics): { stop(): void } {
  return bus.onSignal(t.subjects.deadLetterWildcard, (subject) =>
    metrics.deadLettersTotal.inc({ actor: subject.slice(subject.lastIndexOf(".") + 1) }),
  );
}
