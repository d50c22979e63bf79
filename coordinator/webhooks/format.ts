/**
 * What a delivery sends: the body in the endpoint's format and the headers,
 * signed `Sentineliq-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "<t>.<raw body>">` with the endpoint's secret.
 *
 * - sentineliq: `{id, type, created_at, org, data}` (id is the event's id).
 * - slack (incoming webhooks): `{text}`, one line saying what happened.
 * - pagerduty (Events API v2): `{routing_key, event_action: "trigger", dedup_key,
 *   payload: {summary, source, severity, custom_details}}`; the routing key is the
 *   one given when the endpoint was registered (not the signing secret).
 */
import { createHmac } from "node:crypto";
import type { WebhookEvent, WebhookFormat } from "../../protocol/index.ts";

export type Endpoint = {
  id: string;
  org_id: string;
  url: string;
  format: WebhookFormat;
  routing_key: string | null;
  secret: string;
};

export const SIGNATURE_HEADER = "Sentineliq-Signature";

/** The signature header's value for `body` signed at `t` (unix seconds). */
export function signatureHeader(secret: string, t: number, body: string): string {
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

const SEVERITY: Record<WebhookEvent["type"], "critical" | "error" | "warning" | "info"> = {
  "payment.rejected": "error",
  "payment.challenged": "warning",
  "case.decided": "info",
  "validator.flagged": "critical",
  "log.alarm": "critical",
};

/** One line a person can read: what happened, to what. */
export function summary(e: WebhookEvent): string {
  const d = e.data;
  const what = [d["payment_id"], d["validator_id"], d["kind"]].find((x) => typeof x === "string");
  const code = (d["error_details"] as { code?: string } | null | undefined)?.code;
  return `SentinelIQ ${e.type}${what ? ` ${String(what)}` : ""}${code ? ` (${code})` : ""}`;
}

export function deliveryBody(e: WebhookEvent, endpoint: Endpoint): string {
  switch (endpoint.format) {
    case "slack":
      return JSON.stringify({ text: summary(e) });
    case "pagerduty":
      return JSON.stringify({
        routing_key: endpoint.routing_key,
        event_action: "trigger",
        dedup_key: e.id,
        payload: { summary: summary(e), source: "sentineliq", severity: SEVERITY[e.type], custom_details: e.data },
      });
    default:
      return JSON.stringify({ id: e.id, type: e.type, created_at: e.created_at, org: endpoint.org_id, data: e.data });
  }
}

/** The headers of one attempt; the delivery id is the idempotency key (the same on every retry and replay). */
export function deliveryHeaders(deliveryId: string, e: WebhookEvent, secret: string, body: string, now = Date.now()) {
  return {
    "content-type": "application/json",
    "user-agent": "SentinelIQ-Webhooks/1",
    "idempotency-key": deliveryId,
    "sentineliq-delivery": deliveryId,
    "sentineliq-event": e.type,
    [SIGNATURE_HEADER.toLowerCase()]: signatureHeader(secret, Math.floor(now / 1000), body),
  };
}
