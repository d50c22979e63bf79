/**
 * Retention on a real PGlite store: each organisation's policy deletes its own
 * decided payments (with their settlements) and decided events older than the
 * policy, strips the free text of old raw requests, keeps open and newer rows
 * and other organisations' rows, and never touches the log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "../../lib/db.ts";
import { EVENT_STATEMENTS, migrate } from "../store/index.ts";
import { getRetention, runRetention, setRetention } from "./retention.ts";

const NOW = new Date("2026-12-08T00:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

async function payment(db: Db, id: string, tenant: string, status: string, at: Date) {
  const request = {
    agent_id: "a",
    trace_context: { purpose: "pay Ada Lovelace" },
    metadata: { note: "x" },
    amount: "1",
  };
  await db.query(
    `INSERT INTO siq_payments (payment_id, tenant_id, agent_id, idempotency_key, request_hash, request, payment_digest,
       status, created_at, updated_at) VALUES ($1, $2, 'a', $1, 'h', $3::jsonb, 'd', $4, $5, $5)`,
    [id, tenant, JSON.stringify(request), status, at],
  );
  await db.query(
    `INSERT INTO siq_settlements (payment_id, tenant_id, network, backend, status) VALUES ($1, $2, 'n', 'b', 'settled')`,
    [id, tenant],
  );
}

async function event(db: Db, ref: string, tenant: string, status: string, at: Date) {
  await db.query(
    `INSERT INTO siq_events (event_ref, tenant_id, event_id, kind, request, request_hash, event_digest, status, received_at)
     VALUES ($1, $2, $1, 'login', $3::jsonb, 'h', 'd', $4, $5)`,
    [
      ref,
      tenant,
      JSON.stringify({ agent_id: "a", ip: "203.0.113.9", device_id: "d1", metadata: { note: "x" } }),
      status,
      at,
    ],
  );
}

describe("retention", () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ url: "memory://" });
    await migrate(db);
    for (const sql of EVENT_STATEMENTS) await db.query(sql);
    await payment(db, "p-old", "acme", "settled", daysAgo(40));
    await payment(db, "p-open", "acme", "evaluating", daysAgo(40));
    await payment(db, "p-mid", "acme", "settled", daysAgo(10));
    await payment(db, "p-new", "acme", "settled", daysAgo(1));
    await payment(db, "p-bolt", "bolt", "settled", daysAgo(400));
    await event(db, "e-old", "acme", "decided", daysAgo(100));
    await event(db, "e-mid", "acme", "decided", daysAgo(10));
    await event(db, "e-bolt", "bolt", "decided", daysAgo(400));
    await db.query(
      "INSERT INTO siq_log_entries (idx, entry_key, entry_type, payment_id, entry) VALUES (0, 'k', 't', 'p-old', $1)",
      [Buffer.from("{}")],
    );
  });
  afterAll(async () => {
    await db?.close();
  });

  it("a policy is data: none until set, then what was set", async () => {
    expect(await getRetention(db, "acme")).toEqual({ operational_days: null, events_days: null, requests_days: null });
    const policy = { operational_days: 30, events_days: 90, requests_days: 7 };
    expect(await setRetention(db, "acme", policy)).toEqual(policy);
    expect(await getRetention(db, "acme")).toEqual(policy);
  });

  it("deletes the organisation's old decided rows, strips old free text, keeps the rest and the log", async () => {
    expect(await runRetention(db, NOW)).toBeGreaterThan(0);
    const payments = await db.query<{ payment_id: string; request: Record<string, unknown> }>(
      "SELECT payment_id, request FROM siq_payments ORDER BY payment_id",
    );
    expect(payments.map((p) => p.payment_id)).toEqual(["p-bolt", "p-mid", "p-new", "p-open"]);
    const req = (id: string) => payments.find((p) => p.payment_id === id)!.request;
    expect(req("p-mid")).toEqual({ agent_id: "a", amount: "1" });
    expect(req("p-new")).toHaveProperty("trace_context");
    expect(req("p-bolt")).toHaveProperty("trace_context");
    expect(req("p-open")).toHaveProperty("metadata");
    const settlements = await db.query<{ payment_id: string }>("SELECT payment_id FROM siq_settlements ORDER BY 1");
    expect(settlements.map((s) => s.payment_id)).toEqual(["p-bolt", "p-mid", "p-new", "p-open"]);
    const events = await db.query<{ event_ref: string; request: Record<string, unknown> }>(
      "SELECT event_ref, request FROM siq_events ORDER BY event_ref",
    );
    expect(events.map((e) => e.event_ref)).toEqual(["e-bolt", "e-mid"]);
    expect(events[1]!.request).toEqual({ agent_id: "a" });
    expect(events[0]!.request).toHaveProperty("metadata");
    expect((await db.query("SELECT 1 FROM siq_log_entries")).length).toBe(1);
  });
});
