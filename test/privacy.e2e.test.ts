/**
 * Erasure, export and retention end to end: a real coordinator and validators
 * over NATS JetStream, PostgreSQL, mail on loopback, and the CLI as processes.
 * Organisation A pays as agent-e, exports it, erases it with `sentineliq
 * privacy erase`: the export is then empty, its entries are tombstones that
 * keep their leaf hashes, the erasure entry is in the log, and `sentineliq log
 * verify` passes reporting the redacted count. Attacks: organisation B can
 * neither erase nor export A's subject (404); the store refuses a tombstone
 * with a wrong leaf hash; a tampered tombstone fails verify. Retention deletes
 * A's old rows (not B's) and the log still verifies.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../cli/launcher/processes.ts";
import { startMailCatcher, type MailCatcher } from "../lib/mail-catcher.ts";
import { leafHash, readTombstone, tileHashes } from "../protocol/index.ts";
import { storeKinds } from "./helpers/db.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";
import { httpClient, linkToken } from "./helpers/operators.ts";

const run = promisify(execFile);
const PASSWORD = "correct horse battery";

describe("privacy: erase a data subject, export, retention", () => {
  let net: TestNetwork;
  let mail: MailCatcher;
  let http: ReturnType<typeof httpClient>;
  const a = { owner: "erin@acme.test", access: "", apiKey: "", paid: [] as string[], kept: "" };
  const b = { owner: "bo@bolt.test", access: "", apiKey: "", paid: "" };
  let erased: { erasure_index: number; entries_redacted: number[] };

  const cli = async (args: string[], user?: string) => {
    const env: NodeJS.ProcessEnv = { ...process.env, SENTINELIQ_URL: net.url, SENTINELIQ_PASSWORD: PASSWORD };
    if (user) env.SENTINELIQ_EMAIL = user;
    try {
      const r = await run(process.execPath, [BIN, ...args], { env, cwd: net.dir });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout, err: x.stderr };
    }
  };
  const verify = () =>
    cli([
      "log",
      "verify",
      "--db",
      net.store.url,
      ...(net.store.schema ? ["--schema", net.store.schema] : []),
      "--network",
      `${net.dir}/network.json`,
      "--vkey",
      net.vkey,
      "--state",
      `${net.dir}/auditor-${Math.random()}`,
    ]);
  /** Waits for a signed checkpoint covering the whole log. */
  const covered = async () => {
    const size = (await net.db.query("SELECT max(idx) + 1 AS n FROM siq_log_entries"))[0]!.n;
    for (let i = 0; i < 400; i++) {
      const cp = await net.db.query("SELECT max(size) AS s FROM siq_log_checkpoints");
      if (Number(cp[0]!.s) >= Number(size)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error("no checkpoint covers the log");
  };
  const owner = async (o: { owner: string; access: string; apiKey: string }, name: string) => {
    const seen = mail.mails.length;
    expect(
      (await http("POST", "/v1/auth/register", { email: o.owner, password: PASSWORD, organization: name })).status,
    ).toBe(200);
    const token = linkToken(
      await mail.waitFor(o.owner, { subject: /verify/i, after: seen }),
      net.url,
      "/auth/verify-email",
    );
    expect((await http("POST", "/v1/auth/verify-email", { token })).status).toBe(200);
    o.access = (await http("POST", "/v1/auth/login", { email: o.owner, password: PASSWORD })).body.access_token;
    o.apiKey = (await http("POST", "/v1/keys", { name, agent_ids: ["*"] }, o.access)).body.api_key;
  };
  const pay = async (key: string, agent: string) => {
    const r = await net.post(net.payment({ agent_id: agent }), key);
    expect(r.status).toBe(200);
    return r.body.payment_id as string;
  };

  beforeAll(async () => {
    mail = await startMailCatcher();
    net = await startNetwork({
      store: storeKinds().at(-1)!,
      coordinatorConfig: { accounts: { smtpUrl: mail.url }, retentionIntervalMs: 200 },
    });
    http = httpClient(net.url);
    await owner(a, "Acme");
    await owner(b, "Bolt");
    a.paid = [await pay(a.apiKey, "agent-e"), await pay(a.apiKey, "agent-e")];
    a.kept = await pay(a.apiKey, "agent-k");
    b.paid = await pay(b.apiKey, "agent-e");
  }, 180_000);
  afterAll(async () => {
    await net?.stop();
    await mail?.stop();
  });

  it("`privacy export` returns everything held about agent-e as one JSON document", async () => {
    const r = await cli(["privacy", "export", "agent", "agent-e"], a.owner);
    expect(r.code, r.err).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.subject).toEqual({ kind: "agent", id: "agent-e" });
    expect(doc.payments.map((p: { payment_id: string }) => p.payment_id).sort()).toEqual([...a.paid].sort());
    expect(doc.log_entries.length).toBeGreaterThanOrEqual(2);
    // B's payment by its own agent-e is B's, never in A's export.
    expect(r.out).not.toContain(b.paid);
    // An account address: the payments of A that it received, and only A's.
    const receiver = doc.payments[0].request.receiver as string;
    const acct = await http("GET", `/v1/privacy/export?kind=account&id=${receiver}`, undefined, a.access);
    expect(acct.status).toBe(200);
    const ids = acct.body.payments.map((p: { payment_id: string }) => p.payment_id);
    expect(ids).toEqual(expect.arrayContaining([...a.paid, a.kept]));
    expect(ids).not.toContain(b.paid);
  });

  it("another organisation cannot erase or export A's subject (404); an agent or auditor key cannot (403)", async () => {
    const other = await http("DELETE", `/v1/privacy/subjects/agent/agent-k`, undefined, b.access);
    expect({ status: other.status, code: other.body.code }).toEqual({ status: 404, code: "NOT_FOUND" });
    const exp = await http("GET", `/v1/privacy/export?kind=agent&id=agent-k`, undefined, b.access);
    expect({ status: exp.status, code: exp.body.code }).toEqual({ status: 404, code: "NOT_FOUND" });
    // A payment still being decided (a step-up waits for its answer) holds its agent's erasure back: 409.
    const waiting = await net.post(
      net.payment({ agent_id: "agent-c", amount: "25000.00", trace_context: { purpose: "pay invoice INV-7781" } }),
      a.apiKey,
    );
    expect(waiting.body.status).toBe("challenged");
    const held = await http("DELETE", "/v1/privacy/subjects/agent/agent-c", undefined, a.access);
    expect({ status: held.status, code: held.body.code }).toEqual({ status: 409, code: "CONFLICT" });
    for (const key of [a.apiKey, net.auditorKey])
      expect((await http("DELETE", `/v1/privacy/subjects/agent/agent-e`, undefined, key)).status).toBe(403);
    // Nothing of A's was touched.
    expect((await net.get(`/v1/payments/${a.kept}`, a.apiKey)).status).toBe(200);
  });

  it("`privacy erase`: entries become tombstones, the erasure is logged, the export is empty, verify reports the redactions", async () => {
    const r = await cli(["privacy", "erase", "agent", "agent-e", "--json"], a.owner);
    expect(r.code, r.err).toBe(0);
    erased = JSON.parse(r.out);
    expect(erased.entries_redacted.length).toBeGreaterThanOrEqual(2);
    const rows = await net.db.query<{ idx: string; entry_type: string; entry: Buffer }>(
      "SELECT idx, entry_type, entry FROM siq_log_entries ORDER BY idx",
    );
    const tiles = await net.db.query<{ hashes: Buffer }>("SELECT hashes FROM siq_log_tiles WHERE level = 0 AND n = 0");
    const leaves = tileHashes(tiles[0]!.hashes);
    for (const i of erased.entries_redacted) {
      const tomb = readTombstone(rows[i]!.entry)!;
      expect(tomb).toMatchObject({ index: i, erasure_index: erased.erasure_index });
      expect(Buffer.from(tomb.leaf_hash, "base64").equals(leaves[i]!)).toBe(true);
    }
    const record = JSON.parse(rows[erased.erasure_index]!.entry.toString());
    expect(record).toMatchObject({ type: "sentineliq.erasure.v1", subject_kind: "agent" });
    expect(record.entries_redacted).toEqual(erased.entries_redacted);
    // The subject is nowhere in A's rows or A's log entries any more; B's agent-e is B's and stays.
    const left = await net.db.query("SELECT payment_id FROM siq_payments WHERE agent_id = 'agent-e'");
    expect(left.map((p) => p.payment_id)).toEqual([b.paid]);
    for (const row of rows.filter(
      (x) => x.entry_type !== "sentineliq.decision.v1" || erased.entries_redacted.includes(Number(x.idx)),
    ))
      for (const id of a.paid) expect(row.entry.toString()).not.toContain(id);
    const doc = (await http("GET", "/v1/privacy/export?kind=agent&id=agent-e", undefined, a.access)).body;
    expect(doc).toMatchObject({ payments: [], settlements: [], events: [], log_entries: [] });
    // An auditor reads the tombstone with the leaf hash the tile holds.
    const page = await net.get(`/v1/log/entries?start=${erased.entries_redacted[0]}&limit=1`, net.auditorKey);
    expect(page.body.entries[0].leaf_hash).toBe(leaves[erased.entries_redacted[0]!]!.toString("base64"));

    await covered();
    const v = await verify();
    expect(v.code, v.out + v.err).toBe(0);
    expect(v.out).toContain(`${erased.entries_redacted.length} entries redacted`);
    // An auditor over HTTP reads the tombstones in the entry bundles and gets the same answer.
    const state = ["--state", `${net.dir}/auditor-http`];
    const http1 = await cli(["log", "verify", "--url", net.url, "--vkey", net.vkey, "--key", net.auditorKey, ...state]);
    expect(http1.code, http1.out + http1.err).toBe(0);
    expect(http1.out).toContain(`${erased.entries_redacted.length} entries redacted`);
    // The organisation reads its own erasure entry; B does not.
    const mine = async (key: string) =>
      (await net.get(`/v1/log/entries?start=${erased.erasure_index}&limit=1`, key)).body.entries.map(
        (e: { index: number }) => e.index,
      );
    expect(await mine(a.apiKey)).toEqual([erased.erasure_index]);
    expect(await mine(b.apiKey)).not.toContain(erased.erasure_index);
    // Idempotent: erasing again finds nothing left and says so.
    const again = await http("DELETE", "/v1/privacy/subjects/agent/agent-e", undefined, a.access);
    expect(again.status).toBe(200);
    expect(again.body.entries_redacted).toEqual([]);
  });

  it("the store refuses a tombstone whose leaf hash is not the entry's; a tampered tombstone fails verify", async () => {
    const i = erased.entries_redacted[0]!;
    const kept = Number(
      (await net.db.query("SELECT log_index FROM siq_payments WHERE payment_id = $1", [a.kept]))[0]!.log_index,
    );
    const forged = JSON.stringify({
      erasure_index: 99,
      index: kept,
      leaf_hash: leafHash(Buffer.from("x")).toString("base64"),
      type: "sentineliq.redacted.v1",
    });
    await expect(
      net.db.query("UPDATE siq_log_entries SET entry = $2, entry_type = 'sentineliq.redacted.v1' WHERE idx = $1", [
        kept,
        Buffer.from(forged),
      ]),
    ).rejects.toThrow(/append-only/);
    // A database administrator can switch the trigger off: verify still catches the edit.
    const row = (await net.db.query<{ entry: Buffer }>("SELECT entry FROM siq_log_entries WHERE idx = $1", [i]))[0]!;
    const tomb = readTombstone(row.entry)!;
    const wrong = { ...tomb, leaf_hash: leafHash(Buffer.from("not it")).toString("base64") };
    const keys = Object.keys(wrong).sort() as (keyof typeof wrong)[];
    const bytes = Buffer.from(JSON.stringify(Object.fromEntries(keys.map((k) => [k, wrong[k]]))));
    await net.db.query("ALTER TABLE siq_log_entries DISABLE TRIGGER siq_log_entries_append_only");
    await net.db.query("UPDATE siq_log_entries SET entry = $2 WHERE idx = $1", [i, bytes]);
    const v = await verify();
    expect(v.code).toBe(1);
    expect(v.err).toContain("BAD_TOMBSTONE");
    await net.db.query("UPDATE siq_log_entries SET entry = $2 WHERE idx = $1", [i, row.entry]);
    await net.db.query("ALTER TABLE siq_log_entries ENABLE TRIGGER siq_log_entries_append_only");
    expect((await verify()).code).toBe(0);
  });

  it("retention deletes A's rows older than its policy (not B's) and the log still verifies", async () => {
    const policy = { operational_days: 7, events_days: 30, requests_days: 1 };
    const set = await cli(["privacy", "retention", "--operational-days", "7", "--events-days", "30"], a.owner);
    expect(set.out).toContain("✓ retention: operational rows 7 days, events 30 days, raw request text kept");
    const set2 = await cli(["privacy", "retention", "--requests-days", "1", "--json"], a.owner);
    expect(JSON.parse(set2.out)).toEqual(policy);
    expect((await http("GET", "/v1/privacy/retention", undefined, a.access)).body).toEqual(policy);
    const bad = await cli(["privacy", "retention", "--events-days", "0"], a.owner);
    expect({ code: bad.code, err: bad.err }).toMatchObject({
      code: expect.any(Number),
      err: expect.stringContaining("days"),
    });
    expect(bad.code).not.toBe(0);
    const old = new Date(Date.now() - 10 * 86_400_000);
    await net.db.query("UPDATE siq_payments SET created_at = $2 WHERE payment_id IN ($1, $3)", [a.kept, old, b.paid]);
    const before = (await net.db.query("SELECT count(*)::int AS n FROM siq_log_entries"))[0]!.n;
    for (let i = 0; i < 100; i++) {
      const left = await net.db.query("SELECT 1 FROM siq_payments WHERE payment_id = $1", [a.kept]);
      if (left.length === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await net.db.query("SELECT 1 FROM siq_payments WHERE payment_id = $1", [a.kept])).toEqual([]);
    expect((await net.db.query("SELECT 1 FROM siq_payments WHERE payment_id = $1", [b.paid])).length).toBe(1);
    expect((await net.db.query("SELECT count(*)::int AS n FROM siq_log_entries"))[0]!.n).toBe(before);
    await covered();
    const v = await verify();
    expect(v.code, v.out + v.err).toBe(0);
  });

  it("erasing a user anonymises the person: address gone, sessions revoked, login refused; erasure entries stay", async () => {
    const id = (await http("GET", "/v1/users/me", undefined, b.access)).body.id as string;
    const logins = `SELECT event_ref FROM siq_events WHERE request->>'user_id' = $1`;
    const before = await net.db.query<{ event_ref: string }>(logins, [id]);
    expect(before.length).toBeGreaterThan(0);
    const r = await http("DELETE", `/v1/privacy/subjects/user/${encodeURIComponent(b.owner)}`, undefined, b.access);
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).not.toContain(b.owner);
    // Nothing in the log names the person any more but the erasure it made of itself (as its actor): its admin trail
    // entries and login events are tombstones.
    const naming = await net.db.query<{ entry_type: string }>(
      `SELECT entry_type FROM siq_log_entries WHERE position(convert_to($1, 'UTF8') in entry) > 0
       AND entry_type <> 'sentineliq.erasure.v1'`,
      [id],
    );
    expect(naming).toEqual([]);
    // Its login events (IP address, device) are gone, and their log entries are tombstones.
    expect(await net.db.query(logins, [id])).toEqual([]);
    const keys = before.map((e) => `event:${e.event_ref}`);
    const types = await net.db.query<{ entry_type: string }>(
      "SELECT entry_type FROM siq_log_entries WHERE entry_key IN (SELECT jsonb_array_elements_text($1::jsonb))",
      [JSON.stringify(keys)],
    );
    expect(types.length).toBe(keys.length);
    expect(new Set(types.map((t) => t.entry_type))).toEqual(new Set(["sentineliq.redacted.v1"]));
    const rows = await net.db.query("SELECT email, display_name, active FROM siq_users WHERE id = $1", [id]);
    expect(rows).toEqual([{ email: `erased-${id}@erased.invalid`, display_name: null, active: false }]);
    const open = await net.db.query("SELECT 1 FROM siq_sessions WHERE user_id = $1 AND revoked_at IS NULL", [id]);
    expect(open).toEqual([]);
    expect((await http("POST", "/v1/auth/login", { email: b.owner, password: PASSWORD })).status).toBe(401);
    expect((await http("GET", "/v1/users/me", undefined, b.access)).status).toBe(401);
    // The owner who erased agent-e erases themselves: the erasure entry naming them as its actor stays.
    const actor = (await http("GET", "/v1/users/me", undefined, a.access)).body.id as string;
    expect((await http("DELETE", `/v1/privacy/subjects/user/${actor}`, undefined, a.access)).status).toBe(200);
    const trail = await net.db.query<{ entry_type: string }>("SELECT entry_type FROM siq_log_entries WHERE idx = $1", [
      erased.erasure_index,
    ]);
    expect(trail).toEqual([{ entry_type: "sentineliq.erasure.v1" }]);
    await covered();
    const v = await verify();
    expect(v.code, v.out + v.err).toBe(0);
    expect(v.out).toMatch(/\d+ entries redacted/);
  });
});
