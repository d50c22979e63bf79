/** The coordinator's tables. Statements are idempotent; the same SQL runs on PostgreSQL and PGlite. */
import type { Db } from "../../lib/db.ts";
import { migrateLog } from "../log/index.ts";
import { migrateAccounts } from "../accounts/index.ts";
import { ANALYTICS_STATEMENTS } from "../analytics/index.ts";
import { migratePrivacy } from "../privacy/index.ts";

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS siq_payments (
     payment_id      text PRIMARY KEY,
     tenant_id       text NOT NULL,
     agent_id        text NOT NULL,
     idempotency_key text NOT NULL,
     request_hash    text NOT NULL,
     request         jsonb NOT NULL,
     payment_digest  text NOT NULL,
     status          text NOT NULL,
     attempt         integer NOT NULL DEFAULT 1,
     risk_level      text,
     decision        text,
     reasons         jsonb NOT NULL DEFAULT '[]',
     settlement      jsonb,
     error_details   jsonb,
     challenge       jsonb,
     log_index       bigint,
     created_at      timestamptz NOT NULL,
     decided_at      timestamptz,
     updated_at      timestamptz NOT NULL,
     UNIQUE (tenant_id, agent_id, idempotency_key)
   )`,
  `ALTER TABLE siq_payments ADD COLUMN IF NOT EXISTS evidence jsonb`,
  `DROP INDEX IF EXISTS siq_payments_status`,
  `CREATE INDEX IF NOT EXISTS siq_payments_open ON siq_payments (status) WHERE status IN ('evaluating', 'challenged')`,
  // An approver names a challenge, not a payment.
  `CREATE INDEX IF NOT EXISTS siq_payments_challenge ON siq_payments (tenant_id, (challenge->>'challenge_id'))`,
  // Settlement (coordinator/settlement/): one row per approved payment. The transaction's
  // signature is stored before it is sent; every transaction ever built is kept.
  `CREATE TABLE IF NOT EXISTS siq_settlements (
     payment_id       text PRIMARY KEY,
     tenant_id        text NOT NULL,
     network          text NOT NULL,
     backend          text NOT NULL,
     status           text NOT NULL,
     signature        text,
     wire             text,
     blockhash        text,
     last_valid_block_height bigint,
     layout           jsonb,
     builds           integer NOT NULL DEFAULT 0,
     transaction_hash text,
     error_details    jsonb,
     created_at       timestamptz NOT NULL DEFAULT now(),
     updated_at       timestamptz NOT NULL DEFAULT now(),
     settled_at       timestamptz
   )`,
  `CREATE TABLE IF NOT EXISTS siq_settlement_txs (
     signature  text PRIMARY KEY,
     payment_id text NOT NULL,
     blockhash  text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX IF NOT EXISTS siq_settlement_txs_payment ON siq_settlement_txs (payment_id)`,
  // Debug mode's simulated ledger of balances.
  `CREATE TABLE IF NOT EXISTS siq_sim_balances (
     account  text NOT NULL,
     currency text NOT NULL,
     balance  numeric(38, 9) NOT NULL,
     PRIMARY KEY (account, currency)
   )`,
];

export async function migrate(db: Db): Promise<void> {
  for (const sql of STATEMENTS) await db.query(sql);
  await migrateLog(db);
  await migrateAccounts(db);
  for (const sql of ANALYTICS_STATEMENTS) await db.query(sql);
  await migratePrivacy(db);
}
