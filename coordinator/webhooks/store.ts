/** Webhook endpoints and their deliveries in the store; every query a person makes takes their organisation. */
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../../lib/db.ts";
import type {
  DeliveryAttempt,
  DeliveryState,
  DeliveryView,
  WebhookEvent,
  WebhookEventType,
  WebhookFormat,
  WebhookView,
} from "../../protocol/index.ts";
import type { Endpoint } from "./format.ts";

export type WebhookRow = Endpoint & {
  events: WebhookEventType[];
  description: string | null;
  created_at: Date;
  deleted_at: Date | null;
};

export type DeliveryRow = {
  id: string;
  webhook_id: string;
  org_id: string;
  event_id: string;
  event_type: WebhookEventType;
  event: WebhookEvent;
  state: DeliveryState;
  attempts: DeliveryAttempt[];
  replay: number;
  created_at: Date;
  updated_at: Date;
};

const iso = (d: Date) => new Date(d).toISOString();

export function webhookView(r: WebhookRow): WebhookView {
  return {
    webhook_id: r.id,
    url: r.url,
    events: r.events,
    format: r.format,
    description: r.description,
    created_at: iso(r.created_at),
  };
}

export function deliveryView(r: DeliveryRow): DeliveryView {
  return {
    delivery_id: r.id,
    webhook_id: r.webhook_id,
    event_id: r.event_id,
    event_type: r.event_type,
    state: r.state,
    attempts: r.attempts,
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

/** The delivery of one event to one endpoint: the same id however often the event is seen. */
export const deliveryId = (eventId: string, webhookId: string) =>
  `dlv_${createHash("sha256").update(`${eventId}\n${webhookId}`).digest("hex").slice(0, 32)}`;

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const newWebhookId = () => `wh_${Array.from(randomBytes(16), (b) => ALPHABET[b % 36]).join("")}`;

export class WebhookStore {
  readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async create(w: {
    orgId: string;
    userId: string;
    url: string;
    events: WebhookEventType[];
    format: WebhookFormat;
    routingKey: string | null;
    secret: string;
    description: string | null;
  }): Promise<WebhookRow> {
    const rows = await this.db.query<WebhookRow>(
      `INSERT INTO siq_webhooks (id, org_id, url, events, format, routing_key, secret, description, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
      [
        newWebhookId(),
        w.orgId,
        w.url,
        JSON.stringify(w.events),
        w.format,
        w.routingKey,
        w.secret,
        w.description,
        w.userId,
      ],
    );
    return rows[0]!;
  }

  list(orgId: string): Promise<WebhookRow[]> {
    return this.db.query<WebhookRow>(
      `SELECT * FROM siq_webhooks WHERE org_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
      [orgId],
    );
  }

  async inOrg(orgId: string, id: string): Promise<WebhookRow | undefined> {
    const rows = await this.db.query<WebhookRow>(
      `SELECT * FROM siq_webhooks WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL`,
      [id, orgId],
    );
    return rows[0];
  }

  async remove(orgId: string, id: string): Promise<WebhookRow | undefined> {
    const rows = await this.db.query<WebhookRow>(
      `UPDATE siq_webhooks SET deleted_at = now() WHERE id = $1 AND org_id = $2 AND deleted_at IS NULL RETURNING *`,
      [id, orgId],
    );
    return rows[0];
  }

  async get(id: string): Promise<WebhookRow | undefined> {
    return (await this.db.query<WebhookRow>(`SELECT * FROM siq_webhooks WHERE id = $1`, [id]))[0];
  }

  /**
   * The live endpoints subscribed to an event: of the organisation acting as its tenant
   * (an organisation's tenant is its configured one, else its own id), or of every
   * organisation for a network-wide event (tenant null).
   */
  matching(e: WebhookEvent): Promise<WebhookRow[]> {
    return this.db.query<WebhookRow>(
      `SELECT w.* FROM siq_webhooks w JOIN siq_orgs o ON o.id = w.org_id
       WHERE w.deleted_at IS NULL AND w.events @> $1::jsonb
         AND ($2::text IS NULL OR COALESCE(o.tenant_id, o.id) = $2::text)
       ORDER BY w.id`,
      [JSON.stringify([e.type]), e.tenant],
    );
  }

  /** Records the delivery (once: a second call for the same event and endpoint changes nothing). */
  async addDelivery(e: WebhookEvent, w: WebhookRow): Promise<string> {
    const id = deliveryId(e.id, w.id);
    await this.db.query(
      `INSERT INTO siq_webhook_deliveries (id, webhook_id, org_id, event_id, event_type, event)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
      [id, w.id, w.org_id, e.id, e.type, JSON.stringify(e)],
    );
    return id;
  }

  async delivery(id: string): Promise<DeliveryRow | undefined> {
    return (await this.db.query<DeliveryRow>(`SELECT * FROM siq_webhook_deliveries WHERE id = $1`, [id]))[0];
  }

  async deliveryInOrg(orgId: string, id: string): Promise<DeliveryRow | undefined> {
    const rows = await this.db.query<DeliveryRow>(
      `SELECT * FROM siq_webhook_deliveries WHERE id = $1 AND org_id = $2`,
      [id, orgId],
    );
    return rows[0];
  }

  deliveries(orgId: string, webhookId: string, limit = 100): Promise<DeliveryRow[]> {
    return this.db.query<DeliveryRow>(
      `SELECT * FROM siq_webhook_deliveries WHERE webhook_id = $1 AND org_id = $2
       ORDER BY created_at DESC, id LIMIT $3`,
      [webhookId, orgId, limit],
    );
  }

  /** Appends an attempt and sets the state, if the delivery is still in the replay round `replay`. */
  async recordAttempt(id: string, replay: number, attempt: DeliveryAttempt, state: DeliveryState): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE siq_webhook_deliveries SET attempts = attempts || $3::jsonb, state = $4, updated_at = now()
       WHERE id = $1 AND replay = $2 AND state = 'pending' RETURNING id`,
      [id, replay, JSON.stringify([attempt]), state],
    );
    return rows.length === 1;
  }

  /** Back to pending for a manual replay: the next round of attempts (the earlier ones stay in the log). */
  async replay(orgId: string, id: string): Promise<DeliveryRow | undefined> {
    const rows = await this.db.query<DeliveryRow>(
      `UPDATE siq_webhook_deliveries SET state = 'pending', replay = replay + 1, updated_at = now()
       WHERE id = $1 AND org_id = $2 RETURNING *`,
      [id, orgId],
    );
    return rows[0];
  }
}
