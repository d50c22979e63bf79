/**
 * The coordinator's operational metrics, beside the decision ones (./metrics.ts):
 * the HTTP API (latency per route and status, errors per route and code,
 * authentication), events by kind, database query durations and each stream
 * consumer's backlog. Names end in their unit.
 */
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export function opsMetrics(register: Registry) {
  return {
    httpSeconds: new Histogram({
      name: "siq_http_request_duration_seconds",
      help: "HTTP requests by method, route (its template) and status",
      labelNames: ["method", "route", "status"] as const,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [register],
    }),
    httpErrors: new Counter({
      name: "siq_http_errors_total",
      help: "HTTP answers of status 400 and above, by method, route, status and error code",
      labelNames: ["method", "route", "status", "code"] as const,
      registers: [register],
    }),
    authTotal: new Counter({
      name: "siq_auth_attempts_total",
      help: "Authentications on routes that need a caller, by what the route admits and the result (success or failure)",
      labelNames: ["auth", "result"] as const,
      registers: [register],
    }),
    eventsTotal: new Counter({
      name: "siq_events_total",
      help: "Events received (each event once, however often it is submitted), by kind",
      labelNames: ["kind"] as const,
      registers: [register],
    }),
    eventDecisions: new Counter({
      name: "siq_event_decisions_total",
      help: "Events decided by the network, by kind and decision",
      labelNames: ["kind", "decision"] as const,
      registers: [register],
    }),
    dbSeconds: new Histogram({
      name: "siq_db_query_duration_seconds",
      help: "Database queries by statement (select, insert, update, delete, other) and result (ok or error)",
      labelNames: ["statement", "result"] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [register],
    }),
    busPending: new Gauge({
      name: "siq_bus_consumer_pending_messages",
      help: "Messages in a stream not yet delivered to its durable consumer",
      labelNames: ["stream", "consumer"] as const,
      registers: [register],
    }),
    busAckPending: new Gauge({
      name: "siq_bus_consumer_ack_pending_messages",
      help: "Messages delivered to a durable consumer and not yet acknowledged",
      labelNames: ["stream", "consumer"] as const,
      registers: [register],
    }),
    busLag: new Gauge({
      name: "siq_bus_consumer_lag_messages",
      help: "The stream's last sequence minus the consumer's acknowledgement floor",
      labelNames: ["stream", "consumer"] as const,
      registers: [register],
    }),
  };
}
