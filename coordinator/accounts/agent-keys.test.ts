/**
 * Agent keys on a real (PGlite) store: shown once and stored as a hash,
 * prefix-identifiable, bound to agent ids, acting as the organisation's
 * tenant; a rotation or a revocation holds from the next lookup; another
 * organisation's key ids are not found.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "../../lib/db.ts";
import { createLogger } from "../../lib/logger.ts";
import { AGENT_KEY_FORMAT } from "../../protocol/index.ts";
import { NO_TRAIL } from "../log/index.ts";
import { AgentKeys, type KeyChange } from "./agent-keys.ts";
import { AccountsConfig, startAccounts } from "./index.ts";
import { hashPassword } from "./passwords.ts";
import { migrateAccounts } from "./schema.ts";
import { tokenHash } from "./secrets.ts";
import type { Person } from "./sessions.ts";
import { AccountStore } from "./store.ts";

const person = (orgId: string, userId = "usr_owner_0000"): Person => ({
  role: "user",
  userId,
  orgId,
  userRole: "owner",
  sessionId: "ses_1",
});

describe("agent keys", () => {
  let db: Db;
  let keys: AgentKeys;
  let a: Person;
  let b: Person;
  const changes: KeyChange[] = [];

  beforeAll(async () => {
    db = await openDb({ url: "memory://" });
    await migrateAccounts(db);
    const store = new AccountStore(db);
    a = person(await store.createOrg(db, "A"));
    const orgB = await store.createOrg(db, "B");
    await store.setTenant(db, orgB, "tenant-b");
    b = person(orgB, "usr_owner_1111");
    keys = new AgentKeys(db, (c) => changes.push(c));
  });
  afterAll(async () => {
    await db.close();
  });

  it("creates a prefix-identifiable key, shown once, stored only as the hash of its secret", async () => {
    const k = await keys.create(a, { name: "checkout bot", agent_ids: ["agent-x"] });
    const m = AGENT_KEY_FORMAT.exec(k.api_key)!;
    expect(m[1]).toBe(k.key_id);
    expect(k.api_key.startsWith(k.prefix)).toBe(true);
    expect(k).toMatchObject({ status: "active", agent_ids: ["agent-x"], name: "checkout bot", rotated_at: null });
    const stored = JSON.stringify(await db.query(`SELECT * FROM siq_agent_keys`));
    expect(stored).not.toContain(m[2]);
    expect(stored).toContain(tokenHash(m[2]!));
    const listed = await keys.list(a);
    expect(listed.keys.map((x) => x.key_id)).toEqual([k.key_id]);
    expect(JSON.stringify(listed)).not.toContain(m[2]);
    expect(listed.keys[0]).not.toHaveProperty("api_key");
    expect(changes.at(-1)).toMatchObject({ action: "create", orgId: a.orgId, key: { key_id: k.key_id } });
  });

  it("finds the agent behind a key, as its organisation's tenant; a wrong secret or form is not found", async () => {
    const ka = await keys.create(a, { name: "a", agent_ids: ["agent-x", "fleet-*"] });
    const kb = await keys.create(b, { name: "b", agent_ids: ["agent-y"] });
    expect(await keys.find(ka.api_key)).toEqual({
      role: "agent",
      tenant: a.orgId,
      agent_ids: ["agent-x", "fleet-*"],
      key_id: ka.key_id,
    });
    expect(await keys.find(kb.api_key)).toMatchObject({ tenant: "tenant-b", agent_ids: ["agent-y"] });
    // Key b's id with key a's secret, and malformed keys, are nobody.
    const forged = `siq_live_${kb.key_id}_${AGENT_KEY_FORMAT.exec(ka.api_key)![2]}`;
    expect(await keys.find(forged)).toBeUndefined();
    expect(await keys.find(`${ka.api_key}x`)).toBeUndefined();
    expect(await keys.find("siq_live_nothing")).toBeUndefined();
  });

  it("rotation: the old secret stops at once, the new one works, under the same key id", async () => {
    const k = await keys.create(a, { name: "r", agent_ids: ["agent-r"] });
    const r = await keys.rotate(a, k.key_id);
    expect(r.key_id).toBe(k.key_id);
    expect(r.api_key).not.toBe(k.api_key);
    expect(r.rotated_at).not.toBeNull();
    expect(await keys.find(k.api_key)).toBeUndefined();
    expect(await keys.find(r.api_key)).toMatchObject({ key_id: k.key_id });
    expect(changes.at(-1)).toMatchObject({ action: "rotate", key: { key_id: k.key_id } });
  });

  it("revocation holds from the next lookup, is idempotent, and a revoked key cannot be rotated back", async () => {
    const k = await keys.create(a, { name: "v", agent_ids: ["agent-v"] });
    const v = await keys.revoke(a, k.key_id);
    expect(v).toMatchObject({ status: "revoked" });
    expect(await keys.find(k.api_key)).toBeUndefined();
    expect(await keys.revoke(a, k.key_id)).toEqual(v);
    expect(changes.filter((c) => c.action === "revoke" && c.key.key_id === k.key_id)).toHaveLength(1);
    await expect(keys.rotate(a, k.key_id)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("another organisation's key id is not found (404), and nothing of it changes", async () => {
    const kb = await keys.create(b, { name: "b2", agent_ids: ["agent-y"] });
    await expect(keys.rotate(a, kb.key_id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(keys.revoke(a, kb.key_id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(keys.rotate(a, "zzzzzzzz")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await keys.list(a)).keys.map((k) => k.key_id)).not.toContain(kb.key_id);
    expect(await keys.find(kb.api_key)).toMatchObject({ tenant: "tenant-b" });
  });
});

describe("the dev organisation's agent keys", () => {
  it("act as the configured tenant devOwner names, on first start and on every start after", async () => {
    const db = await openDb({ url: "memory://" });
    try {
      await migrateAccounts(db);
      const devOwner = {
        organization: "dev",
        email: "owner@dev.test",
        password_hash: await hashPassword("x".repeat(12)),
      };
      const start = (tenant?: string) =>
        startAccounts({
          db,
          config: AccountsConfig.parse({ devOwner: { ...devOwner, ...(tenant ? { tenant } : {}) } }),
          logger: createLogger("test", "silent"),
          baseUrl: () => "http://127.0.0.1",
          // No login here: nothing to send to a validator network.
          events: { submit: () => Promise.reject(new Error("no validator network in this test")) },
          trail: NO_TRAIL,
        });
      const first = await start();
      const owner = (await new AccountStore(db).byEmail("owner@dev.test"))!;
      const k = await first.agentKeys.create(person(owner.org_id), { name: "dev", agent_ids: ["*"] });
      expect(await first.agentKeys.find(k.api_key)).toMatchObject({ tenant: owner.org_id });
      await first.close();
      const again = await start("dev");
      expect(await again.agentKeys.find(k.api_key)).toMatchObject({ tenant: "dev" });
      await again.close();
    } finally {
      await db.close();
    }
  });
});
