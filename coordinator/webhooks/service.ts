/**
 * Webhooks as an organisation's owners and admins manage them (register,
 * list, delete, read the delivery log, replay), and the events the rest of
 * the coordinator emits for them, published on the webhooks stream.
 */
import { randomBytes } from "node:crypto";
import type { Bus } from "../../lib/bus/index.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  signBusMessage,
  SiqError,
  type DeliveryView,
  type Signer,
  type Topology,
  type WebhookCreate,
  type WebhookEvent,
  type WebhookIssued,
  type WebhookView,
} from "../../protocol/index.ts";
import type { WebhooksConfig } from "./config.ts";
import { deliveryView, webhookView, type WebhookStore } from "./store.ts";
import { checkWebhookUrl } from "./url-policy.ts";

/** Who is asking: a person of an organisation (the route already checked their role). */
export interface Person {
  orgId: string;
  userId: string;
}

/** An event to emit; `created_at` defaults to now. */
export type EmitEvent = Omit<WebhookEvent, "created_at"> & { created_at?: string };

const encoder = new TextEncoder();
/** Publishing an event: 6 tries, 0.5 s apart and doubling (about 15 s in all). */
const PUBLISH_TRIES = 6;
const PUBLISH_RETRY_MS = 500;

interface ServiceComponents {
  store: WebhookStore;
  bus: Bus;
  topology: Topology;
  busSigner: Signer;
  config: WebhooksConfig;
  logger: Logger;
}

export class WebhookService {
  private readonly c: ServiceComponents;

  constructor(c: ServiceComponents) {
    this.c = c;
  }

  async create(p: Person, b: WebhookCreate): Promise<WebhookIssued> {
    const url = await checkWebhookUrl(b.url, this.c.config.allowPrivateUrls);
    const secret = `whsec_${randomBytes(32).toString("base64url")}`;
    const row = await this.c.store.create({
      orgId: p.orgId,
      userId: p.userId,
      url: url.href,
      events: [...new Set(b.events)],
      format: b.format,
      routingKey: b.routing_key ?? null,
      secret,
      description: b.description ?? null,
    });
    this.c.logger.info({ webhook_id: row.id, org_id: p.orgId, user_id: p.userId, url: url.origin }, "webhook created");
    return {
      ...webhookView(row),
      secret,
      message: "store this secret now: it signs every delivery (Sentineliq-Signature) and is shown only once",
    };
  }

  async list(p: Person): Promise<{ webhooks: WebhookView[] }> {
    return { webhooks: (await this.c.store.list(p.orgId)).map(webhookView) };
  }

  async remove(p: Person, id: string): Promise<WebhookView> {
    const row = await this.c.store.remove(p.orgId, id);
    if (!row) throw new SiqError("NOT_FOUND", `no webhook ${id}`);
    this.c.logger.info({ webhook_id: id, org_id: p.orgId, user_id: p.userId }, "webhook deleted");
    return webhookView(row);
  }

  async deliveries(p: Person, id: string): Promise<{ deliveries: DeliveryView[] }> {
    if (!(await this.c.store.inOrg(p.orgId, id))) throw new SiqError("NOT_FOUND", `no webhook ${id}`);
    return { deliveries: (await this.c.store.deliveries(p.orgId, id)).map(deliveryView) };
  }

  async replay(p: Person, deliveryId: string): Promise<DeliveryView> {
    const row = await this.c.store.replay(p.orgId, deliveryId);
    if (!row) throw new SiqError("NOT_FOUND", `no delivery ${deliveryId}`);
    await this.order(row.id, row.replay);
    this.c.logger.info({ delivery_id: row.id, replay: row.replay, user_id: p.userId }, "webhook delivery replayed");
    return deliveryView(row);
  }

  /** A delivery order for the dispatcher (de-duplicated by delivery and round). */
  readonly order = async (deliveryId: string, replay: number): Promise<void> => {
    const bytes = encoder.encode(JSON.stringify(signBusMessage(this.c.busSigner, { delivery_id: deliveryId, replay })));
    await this.c.bus.publish(this.c.topology.subjects.webhookDelivery, bytes, { msgId: `${deliveryId}:${replay}` });
  };

  /**
   * Puts an event on the webhooks stream (de-duplicated by its id); never throws, never waits on the caller.
   * A publish the bus refuses (e.g. while it reconnects) is tried again, `PUBLISH_TRIES` times in all.
   */
  readonly emit = (e: EmitEvent): void => {
    const event: WebhookEvent = { ...e, created_at: e.created_at ?? new Date().toISOString() };
    const bytes = encoder.encode(JSON.stringify(signBusMessage(this.c.busSigner, event)));
    const publish = (tries: number): void => {
      this.c.bus.publish(this.c.topology.subjects.webhookEvent, bytes, { msgId: event.id }).catch((err: Error) => {
        const log = { event_id: event.id, type: event.type, err: err.message };
        if (tries >= PUBLISH_TRIES) return this.c.logger.error(log, "webhook event not published");
        this.c.logger.warn(log, "webhook event not published yet; trying again");
        setTimeout(() => publish(tries + 1), PUBLISH_RETRY_MS * 2 ** (tries - 1)).unref();
      });
    };
    publish(1);
  };
}
