/**
 * One attempt to deliver: the URL is checked again (a name may resolve to a
 * private address by now), the body is POSTed signed, with a time limit, and
 * redirects are not followed (a 3xx is a failure: a redirect could lead inside).
 * Only a 2xx counts as delivered.
 */
import type { DeliveryAttempt, WebhookEvent } from "../../protocol/index.ts";
import { deliveryBody, deliveryHeaders, type Endpoint } from "./format.ts";
import { checkWebhookUrl } from "./url-policy.ts";

export interface AttemptOptions {
  timeoutMs: number;
  allowPrivateUrls: boolean;
}

export async function attemptDelivery(
  deliveryId: string,
  e: WebhookEvent,
  endpoint: Endpoint,
  n: { attempt: number; replay: number },
  o: AttemptOptions,
): Promise<DeliveryAttempt & { ok: boolean }> {
  const started = Date.now();
  const done = (status_code: number | null, error: string | null) => ({
    ...n,
    at: new Date(started).toISOString(),
    status_code,
    error,
    duration_ms: Date.now() - started,
    ok: status_code !== null && status_code >= 200 && status_code < 300,
  });
  try {
    const url = await checkWebhookUrl(endpoint.url, o.allowPrivateUrls);
    const body = deliveryBody(e, endpoint);
    const res = await fetch(url, {
      method: "POST",
      headers: deliveryHeaders(deliveryId, e, endpoint.secret, body),
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    await res.body?.cancel().catch(() => {});
    const ok = res.status >= 200 && res.status < 300;
    return done(res.status, ok ? null : `HTTP ${res.status}`);
  } catch (err) {
    const e2 = err as Error;
    const timedOut = e2.name === "TimeoutError" || e2.name === "AbortError";
    return done(null, timedOut ? `timed out after ${o.timeoutMs} ms` : (e2.message || String(err)).slice(0, 300));
  }
}
