/**
 * The analytics dashboard, computed in SQL over `siq_payments (tenant_id, created_at)`
 * (indexed): volume, decision mix, risk levels and decision latency per bucket and over
 * the window (percentile_cont, in milliseconds), the most frequent reasons, and the
 * events by kind (`siq_events (tenant_id, received_at)`, indexed too). Every
 * query names the caller's tenant: another organisation's payments are never counted.
 */
import type { Db, Row } from "../../lib/db.ts";
import {
  BUCKET_MS,
  Decisions,
  RiskLevels,
  type AnalyticsDashboard,
  type AnalyticsFigures,
  type AnalyticsQuery,
} from "../../protocol/index.ts";

export const ANALYTICS_STATEMENTS = [
  `CREATE INDEX IF NOT EXISTS siq_payments_tenant_created ON siq_payments (tenant_id, created_at)`,
];

const LATENCY_MS = `EXTRACT(EPOCH FROM (decided_at - created_at)) * 1000`;
const pct = (p: number) =>
  `percentile_cont(${p}) WITHIN GROUP (ORDER BY ${LATENCY_MS}) FILTER (WHERE decided_at IS NOT NULL)`;

/** The figures' columns (names fixed here, never from input). */
const FIGURES = [
  `count(*)::int AS payments`,
  `count(decision)::int AS decided`,
  ...Decisions.map((d) => `count(*) FILTER (WHERE decision = '${d}')::int AS "d_${d}"`),
  ...RiskLevels.map((l) => `count(*) FILTER (WHERE risk_level = '${l}')::int AS "l_${l}"`),
  `${pct(0.5)} AS p50`,
  `${pct(0.95)} AS p95`,
  `${pct(0.99)} AS p99`,
].join(", ");

const WINDOW = `FROM siq_payments WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3`;

export async function dashboard(db: Db, tenant: string, q: AnalyticsQuery): Promise<AnalyticsDashboard> {
  const args = [tenant, q.from.toISOString(), q.to.toISOString()];
  const [totals, buckets, reasons, events] = await Promise.all([
    db.query(`SELECT ${FIGURES} ${WINDOW}`, args),
    db.query(
      `SELECT to_char(date_trunc($4, created_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS start, ${FIGURES}
       ${WINDOW} GROUP BY 1 ORDER BY 1`,
      [...args, q.bucket],
    ),
    db.query<{ code: string; count: number } & Row>(
      `SELECT r->>'code' AS code, count(*)::int AS count
       FROM siq_payments p CROSS JOIN LATERAL jsonb_array_elements(p.reasons) r
       WHERE p.tenant_id = $1 AND p.created_at >= $2 AND p.created_at < $3 AND r->>'code' IS NOT NULL
       GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10`,
      args,
    ),
    db.query(
      `SELECT kind, count(*)::int AS count,
         ${Decisions.map((d) => `count(*) FILTER (WHERE decision = '${d}')::int AS "d_${d}"`).join(", ")}
       FROM siq_events WHERE tenant_id = $1 AND received_at >= $2 AND received_at < $3 GROUP BY kind ORDER BY kind`,
      args,
    ),
  ]);
  const byKind = events.map((e) => ({
    kind: String(e.kind),
    count: Number(e.count),
    decisions: Object.fromEntries(Decisions.map((d) => [d, Number(e[`d_${d}`])])) as AnalyticsFigures["decisions"],
  }));
  const byStart = new Map(buckets.map((b) => [String(b.start), figures(b)]));
  return {
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    bucket: q.bucket,
    totals: figures(totals[0] ?? {}),
    top_reasons: reasons.map((r) => ({ code: r.code, count: Number(r.count) })),
    events: { total: byKind.reduce((n, e) => n + e.count, 0), by_kind: byKind },
    series: bucketStarts(q).map((start) => ({ start, ...(byStart.get(start) ?? figures({})) })),
  };
}

/** Every bucket's start (UTC) from the one holding `from` to the one holding the window's last instant. */
function bucketStarts(q: AnalyticsQuery): string[] {
  const size = BUCKET_MS[q.bucket];
  const out: string[] = [];
  for (let t = Math.floor(q.from.getTime() / size) * size; t < q.to.getTime(); t += size)
    out.push(new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z"));
  return out;
}

function figures(r: Row): AnalyticsFigures {
  const n = (v: unknown) => Number(v ?? 0);
  const ms = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 1000) / 1000);
  return {
    payments: n(r.payments),
    decided: n(r.decided),
    decisions: Object.fromEntries(Decisions.map((d) => [d, n(r[`d_${d}`])])) as AnalyticsFigures["decisions"],
    risk_levels: Object.fromEntries(RiskLevels.map((l) => [l, n(r[`l_${l}`])])) as AnalyticsFigures["risk_levels"],
    latency_ms: { p50: ms(r.p50), p95: ms(r.p95), p99: ms(r.p99) },
  };
}

/** The tenant whose payments a person of this organisation sees (the organisation's own id unless linked to one). */
export async function tenantOfOrg(db: Db, orgId: string): Promise<string | undefined> {
  const rows = await db.query<{ tenant: string } & Row>(
    `SELECT COALESCE(tenant_id, id) AS tenant FROM siq_orgs WHERE id = $1`,
    [orgId],
  );
  return rows[0]?.tenant;
}
