/**
 * The webhook dispatcher actor. Its mailbox is a durable consumer on the
 * webhooks stream's delivery orders: each order is one delivery to one
 * endpoint. A failed attempt (not 2xx, refused, timed out) is stored and the
 * order handed back with an exponentially growing delay; after `maxAttempts`
 * the delivery is `dead` until someone replays it. An order is acked only once
 * the delivery's final state is stored (at least once: a crash between the
 * receiver's answer and the store means one more attempt, with the same
 * idempotency key).
 */
import { drain, openQuarantine, type Bus, type Delivery, type Draining, type Quarantine } from "../../lib/bus/index.ts";
import type { Logger } from "../../lib/logger.ts";
import { readBusMessage, WebhookDeliveryOrder, type Topology, type Verifier } from "../../protocol/index.ts";
import { attemptDelivery } from "./attempt.ts";
import type { WebhooksConfig } from "./config.ts";
import type { WebhookMetrics } from "./metrics.ts";
import type { WebhookStore } from "./store.ts";

export interface DispatcherComponents {
  bus: Bus;
  topology: Topology;
  store: WebhookStore;
  busKey: Verifier;
  config: WebhooksConfig;
  logger: Logger;
  metrics: WebhookMetrics | null;
}

/** The delay before attempt `n + 1`, after `n` failed ones: base, 2·base, 4·base… up to the cap. */
export function backoffMs(n: number, c: Pick<WebhooksConfig, "backoffBaseMs" | "backoffMaxMs">): number {
  return Math.min(c.backoffBaseMs * 2 ** Math.max(0, n - 1), c.backoffMaxMs);
}

export class WebhookDispatcher {
  readonly #c: DispatcherComponents;
  #reading: Draining | undefined;
  #quarantine: Quarantine | undefined;

  constructor(c: DispatcherComponents) {
    this.#c = c;
  }

  async start(): Promise<void> {
    const t = this.#c.topology;
    const cfg = this.#c.config;
    const mailbox = await this.#c.bus.mailbox({
      stream: t.streams.webhooks.name,
      durable: t.consumers.webhookDispatcher,
      filterSubject: t.subjects.webhookDelivery,
      // Longer than one attempt, so an order being attempted is not offered again meanwhile.
      ackWaitMs: cfg.timeoutMs + 30_000,
      maxAckPending: cfg.concurrency * 4,
    });
    // Failed attempts are naks too: only a store failure that outlasts every attempt dead-letters an order.
    const quarantine = await openQuarantine({ ...this.#c, actor: t.consumers.webhookDispatcher, maxDeliver: 1000 });
    this.#quarantine = quarantine;
    this.#reading = drain(mailbox, (d) => this.#handle(d), quarantine, cfg.concurrency);
  }

  async stop(): Promise<void> {
    await this.#reading?.stop();
  }

  async #handle(d: Delivery): Promise<void> {
    const read = readBusMessage(this.#c.busKey, d.data);
    if ("refused" in read) return this.#quarantine?.reject(d, `${read.refused}: not signed by the coordinator`);
    const parsed = "malformed" in read ? null : WebhookDeliveryOrder.safeParse(read.message);
    if (!parsed?.success) return this.#quarantine?.reject(d, "malformed webhook delivery order");
    const order = parsed.data;
    const { store, config: cfg, logger } = this.#c;
    const row = await store.delivery(order.delivery_id);
    // Delivered, dead, or replayed since this order was made: nothing to do for it.
    if (!row || row.state !== "pending" || row.replay !== order.replay) return d.ack();
    const endpoint = await store.get(row.webhook_id);
    const n = row.attempts.filter((a) => a.replay === order.replay).length + 1;
    if (!endpoint || endpoint.deleted_at !== null) {
      const gone = { attempt: n, replay: order.replay, at: new Date().toISOString(), duration_ms: 0 };
      await store.recordAttempt(
        row.id,
        order.replay,
        { ...gone, status_code: null, error: "endpoint deleted" },
        "dead",
      );
      return d.ack();
    }
    const { ok, ...attempt } = await attemptDelivery(
      row.id,
      row.event,
      endpoint,
      { attempt: n, replay: order.replay },
      cfg,
    );
    const state = ok ? "delivered" : n >= cfg.maxAttempts ? "dead" : "pending";
    await store.recordAttempt(row.id, order.replay, attempt, state);
    this.#c.metrics?.attemptsTotal.inc({ outcome: state === "pending" ? "failed" : state });
    this.#c.metrics?.attemptSeconds.observe(attempt.duration_ms / 1000);
    const log = { delivery_id: row.id, webhook_id: endpoint.id, attempt: n, status: attempt.status_code, state };
    if (state === "pending") {
      const delay = backoffMs(n, cfg);
      logger.info({ ...log, error: attempt.error, retry_in_ms: delay }, "webhook delivery failed; will retry");
      return d.nak(delay);
    }
    if (state === "dead") logger.warn({ ...log, error: attempt.error }, "webhook delivery dead after its last attempt");
    d.ack();
  }
}
