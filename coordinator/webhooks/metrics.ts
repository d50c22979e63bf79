/** Webhook metrics, registered on the coordinator's registry. Names end in their unit. */
import { Counter, Histogram, type Registry } from "prom-client";

export type WebhookMetrics = ReturnType<typeof createWebhookMetrics>;

export function createWebhookMetrics(register: Registry) {
  return {
    attemptsTotal: new Counter({
      name: "siq_webhook_attempts_total",
      help: "Webhook delivery attempts, by outcome: delivered, failed (will retry) or dead (the last one failed)",
      labelNames: ["outcome"] as const,
      registers: [register],
    }),
    attemptSeconds: new Histogram({
      name: "siq_webhook_attempt_duration_seconds",
      help: "How long one webhook delivery attempt took",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [register],
    }),
  };
}
