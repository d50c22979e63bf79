/**
 * Retention: each organisation's policy (days per kind of row, stored as
 * data) runs on a timer in the coordinator. Decided payments and their
 * settlements older than `operational_days` are deleted, events older than
 * `events_days`, and the free text of raw requests (a payment's trace context
 * and metadata; an event's metadata, IP address, place and device id) older than
 * `requests_days` is stripped.
 * Log entries are never touched: their leaf hashes are the tree.
 */
import type { Db } from "../../lib/db.ts";
import type { Logger } from "../../lib/logger.ts";
import type { RetentionPolicy } from "../../protocol/index.ts";

type PolicyRow = {
  tenant_id: string;
  operational_days: number | null;
  events_days: number | null;
  requests_days: number | null;
};

const NONE: RetentionPolicy = { operational_days: null, events_days: null, requests_days: null };

export async function getRetention(db: Db, tenant: string): Promise<RetentionPolicy> {
  const rows = await db.query<PolicyRow>("SELECT * FROM siq_retention WHERE tenant_id = $1", [tenant]);
  const r = rows[0];
  return r
    ? { operational_days: r.operational_days, events_days: r.events_days, requests_days: r.requests_days }
    : NONE;
}

export async function setRetention(db: Db, tenant: string, p: RetentionPolicy): Promise<RetentionPolicy> {
  await db.query(
    `INSERT INTO siq_retention (tenant_id, operational_days, events_days, requests_days) VALUES ($1, $2, $3, $4)
     ON CONFLICT (tenant_id) DO UPDATE SET operational_days = $2, events_days = $3, requests_days = $4, updated_at = now()`,
    [tenant, p.operational_days, p.events_days, p.requests_days],
  );
  return p;
}

const OLD_PAYMENTS = `SELECT payment_id FROM siq_payments WHERE tenant_id = $1
  AND status NOT IN ('evaluating', 'challenged') AND created_at < $2`;

/** Applies every organisation's policy once, as of `now`; returns the rows deleted or stripped. */
export async function runRetention(db: Db, now: Date): Promise<number> {
  const policies = await db.query<PolicyRow>("SELECT * FROM siq_retention");
  let n = 0;
  const before = (days: number) => new Date(now.getTime() - days * 86_400_000);
  for (const p of policies) {
    await db.tx(async (q) => {
      if (p.operational_days !== null) {
        const args = [p.tenant_id, before(p.operational_days)];
        await q.query(`DELETE FROM siq_settlement_txs WHERE payment_id IN (${OLD_PAYMENTS})`, args);
        await q.query(`DELETE FROM siq_settlements WHERE payment_id IN (${OLD_PAYMENTS})`, args);
        n += (await q.query(`DELETE FROM siq_payments WHERE payment_id IN (${OLD_PAYMENTS}) RETURNING 1`, args)).length;
      }
      if (p.events_days !== null)
        n += (
          await q.query(
            `DELETE FROM siq_events WHERE tenant_id = $1 AND status = 'decided' AND received_at < $2 RETURNING 1`,
            [p.tenant_id, before(p.events_days)],
          )
        ).length;
      if (p.requests_days !== null) {
        const args = [p.tenant_id, before(p.requests_days)];
        n += (
          await q.query(
            `UPDATE siq_payments SET request = request - 'trace_context' - 'metadata'
             WHERE tenant_id = $1 AND created_at < $2 AND status NOT IN ('evaluating', 'challenged')
               AND (request ? 'trace_context' OR request ? 'metadata') RETURNING 1`,
            args,
          )
        ).length;
        n += (
          await q.query(
            `UPDATE siq_events SET request = request - 'metadata' - 'ip' - 'geo' - 'device_id'
             WHERE tenant_id = $1 AND received_at < $2 AND status = 'decided'
               AND (request ? 'metadata' OR request ? 'ip' OR request ? 'geo' OR request ? 'device_id') RETURNING 1`,
            args,
          )
        ).length;
      }
    });
  }
  return n;
}

/** Runs retention every `everyMs` (first run after one period); `stop` ends it. */
export function scheduleRetention(db: Db, logger: Logger, everyMs: number, now: () => Date = () => new Date()) {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runRetention(db, now())
      .then((n) => n > 0 && logger.info({ rows: n }, "retention applied"))
      .catch((err: Error) => logger.error({ err: err.message }, "retention failed"))
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
