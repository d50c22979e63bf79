/**
 * The dashboard on real stores (PGlite and PostgreSQL): known payments of two
 * tenants, figures checked by hand. Another organisation's payments are never
 * counted; the window, buckets and percentiles are what SQL says; the query
 * string is bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db.ts";
import { AnalyticsDashboard, AnalyticsQuery } from "../../protocol/index.ts";
import { storeKinds, testStore, type TestStore } from "../../test/helpers/db.ts";
import { EventStore, migrate } from "../store/index.ts";
import { dashboardFor } from "./index.ts";

const T0 = Date.parse("2026-03-01T10:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

async function insert(db: Db, id: string, tenant: string, minute: number, latencyMs: number | null, extra = {}) {
  const row = { decision: "approve", risk_level: "LOW", reasons: [] as unknown[], ...extra };
  const created = at(minute);
  const decided = latencyMs === null ? null : new Date(Date.parse(created) + latencyMs).toISOString();
  await db.query(
    `INSERT INTO siq_payments (payment_id, tenant_id, agent_id, idempotency_key, request_hash, request, payment_digest,
       status, risk_level, decision, reasons, created_at, decided_at, updated_at)
     VALUES ($1, $2, 'agent-1', $1, 'h', '{}', 'd', $3, $4, $5, $6, $7, $8, $7)`,
    [
      id,
      tenant,
      latencyMs === null ? "evaluating" : "settled",
      latencyMs === null ? null : row.risk_level,
      latencyMs === null ? null : row.decision,
      JSON.stringify(row.reasons),
      created,
      decided,
    ],
  );
}

const reason = (code: string) => ({ code, message: code.toLowerCase(), validators: 3 });
const query = (q: Record<string, string>) => AnalyticsQuery.parse(q);

describe.each(storeKinds())("analytics dashboard: %s", (kind) => {
  let store: TestStore;
  let db: Db;
  const agentA = { role: "agent" as const, tenant: "tenant-a", agent_ids: ["*"] };
  beforeAll(async () => {
    store = testStore(kind);
    db = await store.open();
    await migrate(db);
    // tenant-a: four payments in minute 0, one in minute 2, one before the window, one pending.
    await insert(db, "a1", "tenant-a", 0, 10);
    await insert(db, "a2", "tenant-a", 0, 20, {
      decision: "challenge",
      risk_level: "HIGH",
      reasons: [reason("VELOCITY")],
    });
    await insert(db, "a3", "tenant-a", 0, 30, {
      decision: "reject",
      risk_level: "CRITICAL",
      reasons: [reason("VELOCITY"), reason("SANCTIONED")],
    });
    await insert(db, "a4", "tenant-a", 0, 40, { risk_level: "MEDIUM" });
    await insert(db, "a5", "tenant-a", 2, 100, { reasons: [reason("NEW_RECEIVER")] });
    await insert(db, "a6", "tenant-a", 2, null);
    await insert(db, "a0", "tenant-a", -5, 5);
    // tenant-b, in the same minutes: never counted for tenant-a.
    for (let i = 0; i < 5; i++)
      await insert(db, `b${i}`, "tenant-b", 0, 1000, { decision: "reject", reasons: [reason("OTHER_TENANT")] });
    await new EventStore(db).migrate();
    const event = (ref: string, tenant: string, kind: string, minute: number, decision: string | null) =>
      db.query(
        `INSERT INTO siq_events (event_ref, tenant_id, event_id, kind, request, request_hash, event_digest, status,
           decision, received_at)
         VALUES ($1, $2, $1, $3, '{}', 'h', 'd', $4, $5, $6)`,
        [ref, tenant, kind, decision ? "decided" : "evaluating", decision, at(minute)],
      );
    await event("e1", "tenant-a", "login_success", 0, "approve");
    await event("e2", "tenant-a", "login_success", 1, "challenge");
    await event("e3", "tenant-a", "password_change", 2, null);
    await event("e4", "tenant-a", "login_success", 10, "approve");
    await event("e5", "tenant-b", "login_failure", 0, "reject");
    await db.query(`INSERT INTO siq_orgs (id, name) VALUES ('org_a', 'A'), ('org_b', 'B')`);
    await db.query(`UPDATE siq_orgs SET tenant_id = 'tenant-a' WHERE id = 'org_a'`);
  }, 120_000);
  afterAll(async () => {
    await db.close().catch(() => {});
    await store.drop();
  });

  it("counts the organisation's payments in the window: volume, decision mix, risk levels, latency, reasons", async () => {
    const d = await dashboardFor(db, agentA, query({ from: at(0), to: at(3), bucket: "minute" }));
    expect(AnalyticsDashboard.parse(d)).toEqual(d);
    expect(d.totals).toEqual({
      payments: 6,
      decided: 5,
      decisions: { approve: 3, challenge: 1, reject: 1 },
      risk_levels: { LOW: 2, MEDIUM: 1, HIGH: 1, CRITICAL: 1 },
      // percentile_cont over 10, 20, 30, 40, 100 ms (linear interpolation)
      latency_ms: { p50: 30, p95: 88, p99: 97.6 },
    });
    expect(d.top_reasons).toEqual([
      { code: "VELOCITY", count: 2 },
      { code: "NEW_RECEIVER", count: 1 },
      { code: "SANCTIONED", count: 1 },
    ]);
    expect(d.events).toEqual({
      total: 3,
      by_kind: [
        { kind: "login_success", count: 2, decisions: { approve: 1, challenge: 1, reject: 0 } },
        { kind: "password_change", count: 1, decisions: { approve: 0, challenge: 0, reject: 0 } },
      ],
    });
    expect(d.series.map((b) => [b.start, b.payments, b.latency_ms.p50])).toEqual([
      ["2026-03-01T10:00:00Z", 4, 25],
      ["2026-03-01T10:01:00Z", 0, null],
      ["2026-03-01T10:02:00Z", 2, 100],
    ]);
  });

  it("scopes a person's dashboard to their organisation's tenant, and another organisation sees none of it", async () => {
    const person = (orgId: string) => ({
      role: "user" as const,
      userId: "u",
      orgId,
      userRole: "viewer" as const,
      sessionId: "s",
    });
    const q = query({ from: at(0), to: at(3), bucket: "minute" });
    expect((await dashboardFor(db, person("org_a"), q)).totals.payments).toBe(6);
    const other = await dashboardFor(db, person("org_b"), q);
    expect(other.totals.payments).toBe(0);
    expect(other.top_reasons).toEqual([]);
    expect(other.events).toEqual({ total: 0, by_kind: [] });
    const b = await dashboardFor(db, { ...agentA, tenant: "tenant-b" }, q);
    expect(b.totals).toMatchObject({ payments: 5, decisions: { approve: 0, challenge: 0, reject: 5 } });
    expect(b.top_reasons).toEqual([{ code: "OTHER_TENANT", count: 5 }]);
    expect(b.events.by_kind).toEqual([
      { kind: "login_failure", count: 1, decisions: { approve: 0, challenge: 0, reject: 1 } },
    ]);
    await expect(dashboardFor(db, { role: "auditor", auditor: "x" }, q)).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(dashboardFor(db, person("org_missing"), q)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("reads payments and events through their (tenant_id, time) indexes", async () => {
    const plan = (sql: string) =>
      db.tx(async (q) => {
        await q.query("SET LOCAL enable_seqscan = off");
        const rows = await q.query(`EXPLAIN ${sql}`);
        return rows.map((r) => String(Object.values(r)[0])).join("\n");
      });
    const window = `tenant_id = 'tenant-a' AND %s >= '${at(0)}' AND %s < '${at(3)}'`;
    const on = (col: string) => window.replaceAll("%s", col);
    expect(await plan(`SELECT count(*) FROM siq_payments WHERE ${on("created_at")}`)).toContain(
      "siq_payments_tenant_created",
    );
    expect(await plan(`SELECT count(*) FROM siq_events WHERE ${on("received_at")}`)).toContain(
      "siq_events_tenant_received",
    );
  });

  it("cuts hours and days at UTC boundaries, empty buckets included", async () => {
    const d = await dashboardFor(
      db,
      agentA,
      query({ from: "2026-02-28T00:00:00Z", to: "2026-03-02T00:00:00Z", bucket: "day" }),
    );
    expect(d.series.map((b) => [b.start, b.payments])).toEqual([
      ["2026-02-28T00:00:00Z", 0],
      ["2026-03-01T00:00:00Z", 7],
    ]);
    const h = await dashboardFor(db, agentA, query({ from: at(-30), to: at(30) }));
    expect(h.bucket).toBe("hour");
    expect(h.series.map((b) => [b.start, b.payments])).toEqual([
      ["2026-03-01T09:00:00Z", 1],
      ["2026-03-01T10:00:00Z", 6],
    ]);
  });
});

describe("the analytics query string", () => {
  const issue = (q: Record<string, string>) => AnalyticsQuery.safeParse(q).error?.issues[0];

  it("defaults to the last 24 hours in hour buckets", () => {
    const before = Date.now();
    const q = AnalyticsQuery.parse({});
    expect(q.bucket).toBe("hour");
    expect(q.to.getTime()).toBeGreaterThanOrEqual(before);
    expect(q.to.getTime() - q.from.getTime()).toBe(24 * 3_600_000);
  });

  it("refuses an empty or reversed window, more than 1000 buckets, unknown buckets and fields, bad times", () => {
    expect(issue({ from: at(5), to: at(5) })?.path).toEqual(["from"]);
    expect(issue({ from: at(5), to: at(0) })?.path).toEqual(["from"]);
    expect(issue({ from: at(0), to: at(1001), bucket: "minute" })?.path).toEqual(["bucket"]);
    expect(AnalyticsQuery.safeParse({ from: at(0), to: at(1000), bucket: "minute" }).success).toBe(true);
    expect(issue({ from: "2000-01-01T00:00:00Z", bucket: "minute" })?.path).toEqual(["bucket"]);
    expect(issue({ bucket: "week" })?.path).toEqual(["bucket"]);
    expect(issue({ bucket: "hour", tenant: "tenant-b" })?.code).toBe("unrecognized_keys");
    expect(issue({ from: "yesterday" })?.path).toEqual(["from"]);
    expect(issue({ from: "2026-03-01T10:00:00+02:00" })?.path).toEqual(["from"]);
  });
});
