/** The signature header, the three body formats and the backoff schedule. */
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { WebhookEvent } from "../../protocol/index.ts";
import { verifySignature } from "../../test/helpers/receivers.ts";
import { WebhooksConfig } from "./config.ts";
import { backoffMs } from "./dispatcher.ts";
import { deliveryBody, deliveryHeaders, signatureHeader, type Endpoint } from "./format.ts";

const event: WebhookEvent = {
  id: "payment.rejected:pay_1:1",
  type: "payment.rejected",
  created_at: "2026-01-01T00:00:00.000Z",
  tenant: "tenant-a",
  data: { payment_id: "pay_1", error_details: { code: "SANCTIONED_COUNTRY", message: "KP" } },
};
const endpoint = (format: Endpoint["format"]): Endpoint => ({
  id: "wh_0123456789abcdef",
  org_id: "org_a",
  url: "https://93.184.216.34/",
  format,
  routing_key: format === "pagerduty" ? "R0UTINGKEY0123456789" : null,
  secret: "whsec_test",
});

describe("webhook deliveries", () => {
  it("sign t=<unix seconds>,v1=<hex HMAC-SHA256 of '<t>.<raw body>'>", () => {
    const body = deliveryBody(event, endpoint("sentineliq"));
    const expected = createHmac("sha256", "whsec_test").update(`1767225600.${body}`).digest("hex");
    expect(signatureHeader("whsec_test", 1767225600, body)).toBe(`t=1767225600,v1=${expected}`);
    const h = deliveryHeaders("dlv_x", event, "whsec_test", body, 1767225600_123);
    expect(h).toMatchObject({
      "content-type": "application/json",
      "idempotency-key": "dlv_x",
      "sentineliq-delivery": "dlv_x",
      "sentineliq-event": "payment.rejected",
    });
    expect(h["sentineliq-signature"]).toBe(`t=1767225600,v1=${expected}`);
  });

  it("verify on the receiver's side only with the secret and a timestamp within five minutes", () => {
    const body = deliveryBody(event, endpoint("sentineliq"));
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature("whsec_test", signatureHeader("whsec_test", now, body), body)).toBe(true);
    expect(verifySignature("whsec_test", signatureHeader("whsec_test", now, body), body + " ")).toBe(false);
    expect(verifySignature("whsec_other", signatureHeader("whsec_test", now, body), body)).toBe(false);
    expect(verifySignature("whsec_test", signatureHeader("whsec_test", now - 301, body), body)).toBe(false);
    expect(verifySignature("whsec_test", signatureHeader("whsec_test", now + 301, body), body)).toBe(false);
  });

  it("carry {id, type, created_at, org, data}, Slack's {text} or a PagerDuty Events v2 trigger", () => {
    expect(JSON.parse(deliveryBody(event, endpoint("sentineliq")))).toEqual({
      id: event.id,
      type: event.type,
      created_at: event.created_at,
      org: "org_a",
      data: event.data,
    });
    expect(JSON.parse(deliveryBody(event, endpoint("slack")))).toEqual({
      text: "SentinelIQ payment.rejected pay_1 (SANCTIONED_COUNTRY)",
    });
    expect(JSON.parse(deliveryBody(event, endpoint("pagerduty")))).toEqual({
      routing_key: "R0UTINGKEY0123456789",
      event_action: "trigger",
      dedup_key: event.id,
      payload: {
        summary: "SentinelIQ payment.rejected pay_1 (SANCTIONED_COUNTRY)",
        source: "sentineliq",
        severity: "error",
        custom_details: event.data,
      },
    });
  });

  it("back off exponentially, up to the cap; by default 8 attempts of at most 10 s, from 5 s to 30 min apart", () => {
    expect(WebhooksConfig.parse({})).toEqual({
      allowPrivateUrls: false,
      maxAttempts: 8,
      backoffBaseMs: 5000,
      backoffMaxMs: 1_800_000,
      timeoutMs: 10_000,
      concurrency: 16,
    });
    const c = { backoffBaseMs: 5000, backoffMaxMs: 30 * 60_000 };
    expect([1, 2, 3, 4, 8, 20].map((n) => backoffMs(n, c))).toEqual([5000, 10000, 20000, 40000, 640000, 1800000]);
  });
});
