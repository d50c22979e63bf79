/** Every few seconds, each durable consumer's backlog on the coordinator's streams, as gauges. */
import type { Bus } from "../lib/bus/index.ts";
import type { Logger } from "../lib/logger.ts";
import type { Topology } from "../protocol/index.ts";
import type { Metrics } from "./metrics.ts";

export const BACKLOG_INTERVAL_MS = 5_000;

export function watchBacklog(
  bus: Bus,
  t: Topology,
  metrics: Metrics,
  logger: Logger,
  intervalMs = BACKLOG_INTERVAL_MS,
): { refresh(): Promise<void>; stop(): void } {
  const streams = Object.values(t.streams).map((s) => s.name);
  const gauges = [metrics.busPending, metrics.busAckPending, metrics.busLag];
  const refresh = async () => {
    try {
      const all = await bus.backlog(streams);
      for (const g of gauges) g.reset();
      for (const b of all) {
        const labels = { stream: b.stream, consumer: b.consumer };
        metrics.busPending.set(labels, b.pending);
        metrics.busAckPending.set(labels, b.ackPending);
        metrics.busLag.set(labels, Math.max(0, b.streamLastSeq - b.ackFloorSeq));
      }
    } catch (err) {
      logger.warn({ err }, "cannot read the streams' consumer backlog");
    }
  };
  void refresh();
  const timer = setInterval(() => void refresh(), intervalMs);
  timer.unref();
  return { refresh, stop: () => clearInterval(timer) };
}
