/**
 * The webhook tables. The signing secret is stored as is (it must sign every
 * delivery, so a hash will not do): anyone who can read this table can forge
 * deliveries to the organisation's receivers. Protect the database, or rotate
 * (delete and re-create) an endpoint whose secret may have leaked.
 */
import type { Db } from "../../lib/db.ts";

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS siq_webhooks (
     id          text PRIMARY KEY,
     org_id      text NOT NULL REFERENCES siq_orgs (id),
     url         text NOT NULL,
     events      jsonb NOT NULL,
     format      text NOT NULL,
     routing_key text,
     secret      text NOT NULL,
     description text,
     created_by  text NOT NULL,
     created_at  timestamptz NOT NULL DEFAULT now(),
     deleted_at  timestamptz
   )`,
  `CREATE INDEX IF NOT EXISTS siq_webhooks_org ON siq_webhooks (org_id)`,
  // One row per (event, endpoint): its id is derived from both, so a redelivered event makes no second row.
  `CREATE TABLE IF NOT EXISTS siq_webhook_deliveries (
     id          text PRIMARY KEY,
     webhook_id  text NOT NULL REFERENCES siq_webhooks (id),
     org_id      text NOT NULL,
     event_id    text NOT NULL,
     event_type  text NOT NULL,
     event       jsonb NOT NULL,
     state       text NOT NULL DEFAULT 'pending',
     attempts    jsonb NOT NULL DEFAULT '[]',
     replay      integer NOT NULL DEFAULT 0,
     created_at  timestamptz NOT NULL DEFAULT now(),
     updated_at  timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX IF NOT EXISTS siq_webhook_deliveries_hook ON siq_webhook_deliveries (webhook_id, created_at)`,
];

export async function migrateWebhooks(db: Db): Promise<void> {
  for (const sql of STATEMENTS) await db.query(sql);
}
