/**
 * Who reads admin entries (the audit trail), on PGlite: the organisation the
 * entry's key names, and auditors; another organisation — one whose id is a
 * prefix of it or extends it included — reads none; an entry of no
 * organisation is for auditors only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "../../lib/db.ts";
import { adminEntryKey, canonicalBytes, Signer, signAdminRecord } from "../../protocol/index.ts";
import { migrate } from "../store/index.ts";
import { readableEntries, tenantEntries } from "./access.ts";
import { LogStore } from "./store.ts";

const signer = Signer.generate().signer;
const entry = (org: string | null, id: string) => {
  const bytes = canonicalBytes(
    signAdminRecord(signer, {
      actor: { kind: "user", id: "usr_1", org },
      action: "user.deactivated",
      target: { kind: "user", id },
      org,
      at: "2026-12-07T23:50:00.000Z",
      details: {},
    }),
  );
  return { key: adminEntryKey(org, bytes), bytes };
};

describe("admin entry access", () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ url: "memory://" });
    await migrate(db);
    // The other owners' tables (events, audit submitters), as far as the access query reads them.
    await db.query("CREATE TABLE IF NOT EXISTS siq_events (event_ref text, tenant_id text)");
    await db.query("CREATE TABLE IF NOT EXISTS siq_audit_submitters (code_hash text, tenant_id text)");
    const rows = [
      entry("org_a", "usr_x"),
      entry("org_a:b", "usr_y"),
      entry(null, "usr_z"),
      entry("org_b", "usr_w"),
      entry("org_dev", "usr_v"),
    ];
    // The dev organisation's agent keys act as the configured tenant "dev".
    await db.query("INSERT INTO siq_orgs (id, name, tenant_id) VALUES ('org_dev', 'dev', 'dev')");
    for (const [i, r] of rows.entries())
      await db.query(
        "INSERT INTO siq_log_entries (idx, entry_key, entry_type, entry) VALUES ($1, $2, 'sentineliq.admin.v1', $3)",
        [i, r.key, Buffer.from(r.bytes)],
      );
  });
  afterAll(async () => {
    await db?.close();
  });

  const indexes = async (tenant: string) => (await tenantEntries(db, tenant, 0, 100)).map((e) => e.index);

  it("an organisation reads its own admin entries, and no other's", async () => {
    expect(await indexes("org_a")).toEqual([0]);
    expect(await indexes("org_b")).toEqual([3]);
    expect(await indexes("org_a:b")).toEqual([1]);
    expect(await indexes("org")).toEqual([]);
    expect(await indexes("-")).toEqual([]);
  });

  it("an organisation acting as a configured tenant is read by that tenant's keys", async () => {
    expect(await indexes("dev")).toEqual([4]);
    expect(await indexes("org_dev")).toEqual([4]);
  });

  it("an auditor reads them all, an entry of no organisation included", async () => {
    const store = new LogStore(db);
    const all = await readableEntries(db, { role: "auditor", auditor: "a" }, 0, 100, (s, l) => store.entries(s, l));
    expect(all.map((e) => e.index)).toEqual([0, 1, 2, 3, 4]);
  });
});
