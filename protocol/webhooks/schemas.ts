/**
 * Webhooks on the wire: an organisation's endpoints, the events they
 * subscribe to, the deliveries made to them, and the event message the
 * coordinator puts on the webhooks stream. A delivery is signed with the
 * endpoint's secret (`Sentineliq-Signature: t=<unix seconds>,v1=<hex
 * HMAC-SHA256 of "<t>.<raw body>">`); the secret is shown once, at creation.
 */
import { z } from "zod";
import { safeText } from "../schemas/safe.ts";

export const WEBHOOK_EVENT_TYPES = [
  "payment.rejected",
  "payment.challenged",
  "case.decided",
  "validator.flagged",
  "log.alarm",
] as const;
export const WebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

export const WebhookFormat = z.enum(["sentineliq", "slack", "pagerduty"]);
export type WebhookFormat = z.infer<typeof WebhookFormat>;

export const WebhookId = z.string().regex(/^wh_[a-z0-9]{16}$/, "must be a webhook id (wh_ and 16 characters)");
export const DeliveryId = z.string().regex(/^dlv_[a-f0-9]{32}$/, "must be a delivery id (dlv_ and 32 hex)");

export const WebhookCreate = z
  .object({
    url: z.string().min(8).max(2000),
    events: z.array(WebhookEventType).min(1).max(WEBHOOK_EVENT_TYPES.length),
    format: WebhookFormat.default("sentineliq"),
    /** PagerDuty Events API v2 only: the integration's routing key (required with format "pagerduty"). */
    routing_key: z
      .string()
      .regex(/^[A-Za-z0-9_-]{8,64}$/)
      .optional(),
    description: safeText(200).optional(),
  })
  .strict()
  .refine((b) => (b.format === "pagerduty") === (b.routing_key !== undefined), {
    message: "routing_key is required with format pagerduty, and only then",
    path: ["routing_key"],
  });
export type WebhookCreate = z.infer<typeof WebhookCreate>;

export const WebhookParams = z.object({ webhook_id: WebhookId }).strict();
export const DeliveryParams = z.object({ delivery_id: DeliveryId }).strict();

export const WebhookView = z.object({
  webhook_id: WebhookId,
  url: z.string(),
  events: z.array(WebhookEventType),
  format: WebhookFormat,
  description: z.string().nullable(),
  created_at: z.string(),
});
export type WebhookView = z.infer<typeof WebhookView>;

/** A new endpoint: the only answer that carries its signing secret. */
export const WebhookIssued = WebhookView.extend({ secret: z.string(), message: z.string() });
export type WebhookIssued = z.infer<typeof WebhookIssued>;

export const WebhookList = z.object({ webhooks: z.array(WebhookView) });

export const DeliveryState = z.enum(["pending", "delivered", "dead"]);
export type DeliveryState = z.infer<typeof DeliveryState>;

export const DeliveryAttempt = z.object({
  /** The attempt's number within its round (1 = first); `replay` is the round (0 = before any manual replay). */
  attempt: z.number().int(),
  replay: z.number().int(),
  at: z.string(),
  status_code: z.number().int().nullable(),
  error: z.string().nullable(),
  duration_ms: z.number().int(),
});
export type DeliveryAttempt = z.infer<typeof DeliveryAttempt>;

export const DeliveryView = z.object({
  delivery_id: DeliveryId,
  webhook_id: WebhookId,
  event_id: z.string(),
  event_type: WebhookEventType,
  state: DeliveryState,
  attempts: z.array(DeliveryAttempt),
  created_at: z.string(),
  updated_at: z.string(),
});
export type DeliveryView = z.infer<typeof DeliveryView>;

export const DeliveryList = z.object({ deliveries: z.array(DeliveryView) });

/** What the coordinator puts on the webhooks stream: one event, for one tenant (or every org for `validator.flagged`/`log.alarm`). */
export const WebhookEvent = z
  .object({
    id: z.string().min(1).max(200),
    type: WebhookEventType,
    created_at: z.string(),
    /** The tenant the event concerns; null for network-wide events, delivered to every subscribed organisation. */
    tenant: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .strict();
export type WebhookEvent = z.infer<typeof WebhookEvent>;

/** One delivery to do, published by the fan-out; `replay` marks a manual replay of a dead or delivered one. */
export const WebhookDeliveryOrder = z.object({ delivery_id: DeliveryId, replay: z.number().int().min(0) }).strict();
export type WebhookDeliveryOrder = z.infer<typeof WebhookDeliveryOrder>;
