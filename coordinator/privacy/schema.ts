/**
 * The privacy tables: each organisation's privacy key (the HMAC key its
 * erased subjects are logged under) and its retention policy.
 */
import type { Queryable } from "../../lib/db.ts";

export const PRIVACY_STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS siq_privacy_keys (
     tenant_id  text PRIMARY KEY,
     key        bytea NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE IF NOT EXISTS siq_retention (
     tenant_id        text PRIMARY KEY,
     operational_days integer,
     events_days      integer,
     requests_days    integer,
     updated_at       timestamptz NOT NULL DEFAULT now()
   )`,
];

export async function migratePrivacy(db: Queryable): Promise<void> {
  for (const sql of PRIVACY_STATEMENTS) await db.query(sql);
}
