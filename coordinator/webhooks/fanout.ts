/**
 * The webhook fan-out actor. Its mailbox is a durable consumer on the
 * webhooks stream's events: for each event it records one delivery per
 * subscribed endpoint (idempotent: the delivery id is derived from the event
 * and the endpoint) and publishes one delivery order per endpoint for the
 * dispatcher; the event is acked only after all of that is stored.
 */
import { drain, openQuarantine, type Bus, type Delivery, type Draining, type Quarantine } from "../../lib/bus/index.ts";
import type { Logger } from "../../lib/logger.ts";
import { readBusMessage, WebhookEvent, type Topology, type Verifier } from "../../protocol/index.ts";
import type { WebhookStore } from "./store.ts";

export interface FanoutComponents {
  bus: Bus;
  topology: Topology;
  store: WebhookStore;
  busKey: Verifier;
  logger: Logger;
  /** Publishes a delivery order (signed) for the dispatcher. */
  order: (deliveryId: string, replay: number) => Promise<void>;
}

export class WebhookFanout {
  readonly #c: FanoutComponents;
  #reading: Draining | undefined;
  #quarantine: Quarantine | undefined;

  constructor(c: FanoutComponents) {
    this.#c = c;
  }

  async start(): Promise<void> {
    const t = this.#c.topology;
    const mailbox = await this.#c.bus.mailbox({
      stream: t.streams.webhooks.name,
      durable: t.consumers.webhookFanout,
      filterSubject: t.subjects.webhookEvent,
      ackWaitMs: 30_000,
    });
    const quarantine = await openQuarantine({ ...this.#c, actor: t.consumers.webhookFanout });
    this.#quarantine = quarantine;
    this.#reading = drain(mailbox, (d) => this.#handle(d), quarantine);
  }

  async stop(): Promise<void> {
    await this.#reading?.stop();
  }

  async #handle(d: Delivery): Promise<void> {
    const read = readBusMessage(this.#c.busKey, d.data);
    if ("refused" in read) return this.#quarantine?.reject(d, `${read.refused}: not signed by the coordinator`);
    const parsed = "malformed" in read ? null : WebhookEvent.safeParse(read.message);
    if (!parsed?.success) return this.#quarantine?.reject(d, "malformed webhook event");
    const e = parsed.data;
    const endpoints = await this.#c.store.matching(e);
    for (const w of endpoints) {
      const id = await this.#c.store.addDelivery(e, w);
      const row = await this.#c.store.delivery(id);
      // Only a delivery still in its first round is ordered here; a replayed one was ordered by the replay.
      if (row?.replay === 0 && row.state === "pending") await this.#c.order(id, 0);
    }
    this.#c.logger.debug({ event_id: e.id, type: e.type, endpoints: endpoints.length }, "webhook event fanned out");
    d.ack();
  }
}
