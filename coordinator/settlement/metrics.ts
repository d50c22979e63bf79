/** Settlement metrics, registered on the coordinator's registry. Names end in their unit. */
import { Counter, Histogram, type Registry } from "prom-client";

export type SettlementMetrics = ReturnType<typeof createSettlementMetrics>;

export function createSettlementMetrics(register: Registry) {
  return {
    settlementsTotal: new Counter({
      name: "siq_settlements_total",
      help: "Settlements finished, by network, status and failure code",
      labelNames: ["network", "status", "code"] as const,
      registers: [register],
    }),
    settlementSeconds: new Histogram({
      name: "siq_settlement_duration_seconds",
      help: "From approval to a final settlement state",
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 3, 10, 30, 90],
      registers: [register],
    }),
    retriesTotal: new Counter({
      name: "siq_settlement_retries_total",
      help: "Orders handed back for a later delivery",
      registers: [register],
    }),
  };
}
