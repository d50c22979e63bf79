/**
 * prom-client's default process and Node.js metrics, under a prefix, with the three gauges
 * it names `…_total` (active handles, requests, resources) renamed without the suffix: a
 * `_total` is a counter's, and `promtool check metrics` refuses it on a gauge.
 */
import { Gauge, collectDefaultMetrics, type Registry } from "prom-client";

type Internals = { _getActiveHandles?: () => unknown[]; _getActiveRequests?: () => unknown[] };

const ACTIVE: Record<string, { help: string; count: () => number }> = {
  nodejs_active_handles: {
    help: "Active libuv handles",
    count: () => (process as unknown as Internals)._getActiveHandles?.().length ?? 0,
  },
  nodejs_active_requests: {
    help: "Active libuv requests",
    count: () => (process as unknown as Internals)._getActiveRequests?.().length ?? 0,
  },
  nodejs_active_resources: {
    help: "Active resources keeping the event loop alive",
    count: () => process.getActiveResourcesInfo().length,
  },
};

export function collectProcessMetrics(register: Registry, prefix: string): void {
  collectDefaultMetrics({ register, prefix });
  for (const [name, { help, count }] of Object.entries(ACTIVE)) {
    for (const old of [`${prefix}${name}_total`, `${prefix}${name}`]) register.removeSingleMetric(old);
    new Gauge({
      name: `${prefix}${name}`,
      help,
      registers: [register],
      collect() {
        this.set(count());
      },
    });
  }
}
