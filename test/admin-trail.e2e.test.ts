/**
 * The audit trail end to end (real coordinator, validators, NATS, SMTP on
 * loopback): an owner registers, invites a person who joins, deactivates
 * them, changes a role (`sentineliq user role`), the organisation's name and its retention, and resets their own password; each change is an admin entry in the verdict log naming its actor;
 * a login event scored by the validators is listed beside them by
 * `sentineliq log show --type admin`; `log verify` checks every admin entry's
 * signature. Attacks: an admin append not signed by the coordinator's bus key,
 * and one bus-signed but not signed by the log key, are refused by the
 * sequencer; an organisation's own agent key reads its admin entries and
 * another organisation's key none; an edited admin entry fails `log verify`.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectJetStream } from "../lib/bus/jetstream.ts";
import { startMailCatcher, type MailCatcher } from "../lib/mail-catcher.ts";
import {
  adminEntryKey,
  canonicalBytes,
  loadKeyFile,
  signAdminRecord,
  signBusMessage,
  Signer,
  topology,
  type AdminRecord,
} from "../protocol/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";
import { httpClient, linkToken } from "./helpers/operators.ts";
import { cli, until } from "./helpers/cli.ts";

const PASSWORD = "correct horse battery";

describe("audit trail", () => {
  let net: TestNetwork;
  let mail: MailCatcher;
  let call: ReturnType<typeof httpClient>;
  const ids = { owner: "", org: "", joined: "", orgKey: "" };
  const entryKeys = async () =>
    (await net.db.query<{ entry_key: string }>("SELECT entry_key FROM siq_log_entries")).map((r) => r.entry_key);
  const adminRows = async () =>
    (
      await net.db.query<{ idx: string; entry: Buffer }>(
        "SELECT idx, entry FROM siq_log_entries WHERE entry_type = 'sentineliq.admin.v1' ORDER BY idx",
      )
    ).map((r) => ({ index: Number(r.idx), record: JSON.parse(r.entry.toString("utf8")) as AdminRecord }));
  /** An admin record for tenant-a, as the coordinator would sign it (`signer`: its log key, unless forged). */
  const tenantRecord = (signer: Signer, id: string) =>
    signAdminRecord(signer, {
      actor: { kind: "system", id: "coordinator", org: null },
      action: "rules.pack_changed",
      target: { kind: "rules", id },
      org: "tenant-a",
      at: new Date().toISOString(),
      details: { note: "test" },
    });
  const show = (key: string) => cli(["log", "show", "--type", "admin", "--url", net.url, "--api-key", key]);

  beforeAll(async () => {
    mail = await startMailCatcher();
    net = await startNetwork({ store: "pglite", coordinatorConfig: { accounts: { smtpUrl: mail.url } } });
    call = httpClient(net.url);
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
    await mail?.stop();
  });

  /** Registers an organisation's owner, follows the verification link, logs in: the access token. */
  const newOwner = async (email: string, organization: string) => {
    const seen = mail.mails.length;
    expect((await call("POST", "/v1/auth/register", { email, password: PASSWORD, organization })).status).toBe(200);
    const verify = await mail.waitFor(email, { subject: /verify/i, after: seen });
    await call("POST", "/v1/auth/verify-email", { token: linkToken(verify, net.url, "/auth/verify-email") });
    return (await call("POST", "/v1/auth/login", { email, password: PASSWORD })).body.access_token as string;
  };

  it("records register, invite, join, deactivation, password reset and key changes as admin entries naming the actor", async () => {
    const email = "owner@trail.test";
    const owner = await newOwner(email, "Trail");
    const me = (await call("GET", "/v1/users/me", undefined, owner)).body;
    ids.owner = me.id;
    ids.org = me.organization.id;

    const analyst = "analyst@trail.test";
    const seen = mail.mails.length;
    expect((await call("POST", "/v1/admin/users/invite", { email: analyst, role: "analyst" }, owner)).status).toBe(200);
    const m = await mail.waitFor(analyst, { subject: /invited/i, after: seen });
    const body = { email: analyst, password: PASSWORD, invitation_token: linkToken(m, net.url, "/auth/accept-invite") };
    expect((await call("POST", "/v1/auth/register", body)).status).toBe(200);
    const people = (await call("GET", "/v1/admin/users", undefined, owner)).body.users as {
      id: string;
      email: string;
    }[];
    ids.joined = people.find((p) => p.email === analyst)!.id;
    // The owner makes the analyst a viewer from the command line (`sentineliq user role`), then renames the
    // organisation; the same role or name again changes and records nothing.
    const role = await cli(["user", "role", ids.joined, "viewer", "--url", net.url, "--user", email], {
      SENTINELIQ_PASSWORD: PASSWORD,
    });
    expect(role.code, role.out).toBe(0);
    expect(role.out).toContain(`${analyst} (${ids.joined}) is now viewer of Trail`);
    const list = await cli(["user", "list", "--url", net.url, "--user", email], { SENTINELIQ_PASSWORD: PASSWORD });
    expect(list.out).toContain(`✓ ${ids.joined}  viewer   ${analyst}`);
    const bad = await cli(["user", "role", ids.joined, "god", "--url", net.url, "--user", email]);
    expect({ code: bad.code, err: bad.stderr }).toEqual({
      code: 1,
      err: expect.stringContaining("role: one of owner"),
    });
    const again = await call("PUT", `/v1/admin/users/${ids.joined}`, { role: "viewer" }, owner);
    expect(again.body.role).toBe("viewer");
    expect((await call("PUT", "/v1/org", { name: "Trail Ltd" }, owner)).body.name).toBe("Trail Ltd");
    expect((await call("PUT", "/v1/org", { name: "Trail Ltd" }, owner)).status).toBe(200);
    // The retention policy is an organisation setting too.
    const policy = { operational_days: 30, events_days: null, requests_days: null };
    expect((await call("PUT", "/v1/privacy/retention", policy, owner)).body).toEqual(policy);
    expect((await call("PUT", "/v1/privacy/retention", policy, owner)).status).toBe(200);
    expect((await call("DELETE", `/v1/admin/users/${ids.joined}`, undefined, owner)).status).toBe(200);
    // Deactivating again changes nothing and records nothing.
    expect((await call("DELETE", `/v1/admin/users/${ids.joined}`, undefined, owner)).status).toBe(200);
    const reader = (await call("POST", "/v1/keys", { name: "reader", agent_ids: ["*"] }, owner)).body;
    ids.orgKey = reader.api_key;
    const k = (await call("POST", "/v1/keys", { name: "checkout", agent_ids: ["agent-x"] }, owner)).body;
    const rotated = (await call("POST", `/v1/keys/${k.key_id}/rotate`, undefined, owner)).body;
    expect(rotated.api_key).toMatch(/^siq_live_/);
    expect((await call("DELETE", `/v1/keys/${k.key_id}`, undefined, owner)).status).toBe(200);

    // A password reset ends every session: the last change here.
    const before = mail.mails.length;
    await call("POST", "/v1/auth/password/reset-request", { email });
    const reset = await mail.waitFor(email, { subject: /reset/i, after: before });
    const token = linkToken(reset, net.url, "/auth/reset-password");
    expect((await call("POST", "/v1/auth/password/reset", { token, password: `${PASSWORD} 2` })).status).toBe(200);

    await until(async () => (await adminRows()).some((r) => r.record.action === "key.revoked"));
    await until(async () => (await adminRows()).some((r) => r.record.action === "user.password_reset"));
    const rows = (await adminRows()).map((r) => r.record);
    const by = (action: string) => rows.filter((r) => r.action === action);
    expect(by("org.created")).toEqual([
      expect.objectContaining({ actor: { kind: "user", id: ids.owner, org: ids.org }, org: ids.org }),
    ]);
    expect(by("user.invited")).toEqual([
      expect.objectContaining({
        actor: { kind: "user", id: ids.owner, org: ids.org },
        target: { kind: "invitation", id: analyst },
        details: expect.objectContaining({ role: "analyst" }),
      }),
    ]);
    expect(by("user.registered").map((r) => r.target.id)).toEqual([ids.owner, ids.joined]);
    expect(by("user.deactivated")).toEqual([
      expect.objectContaining({
        actor: { kind: "user", id: ids.owner, org: ids.org },
        target: { kind: "user", id: ids.joined },
        org: ids.org,
      }),
    ]);
    expect(by("user.password_reset")).toEqual([
      expect.objectContaining({ actor: { kind: "user", id: ids.owner, org: ids.org }, details: {} }),
    ]);
    expect(by("user.role_changed")).toEqual([
      expect.objectContaining({
        actor: { kind: "user", id: ids.owner, org: ids.org },
        target: { kind: "user", id: ids.joined },
        details: { from: "analyst", to: "viewer" },
      }),
    ]);
    expect(by("org.settings_changed")).toEqual([
      expect.objectContaining({
        actor: { kind: "user", id: ids.owner, org: ids.org },
        target: { kind: "org", id: ids.org },
        details: { name_from: "Trail", name: "Trail Ltd" },
      }),
      expect.objectContaining({
        actor: { kind: "user", id: ids.owner, org: ids.org },
        target: { kind: "org", id: ids.org },
        details: { setting: "retention", ...policy },
      }),
    ]);
    expect(by("key.created").map((r) => r.target.id)).toEqual([reader.key_id, k.key_id]);
    expect(by("key.rotated")).toEqual([
      expect.objectContaining({
        actor: { kind: "user", id: ids.owner, org: ids.org },
        target: { kind: "key", id: k.key_id },
      }),
    ]);
    expect(by("key.revoked").map((r) => r.target.id)).toEqual([k.key_id]);
    // No password, hash, token or key secret in any entry.
    const text = JSON.stringify(rows);
    for (const secret of [reader.api_key, k.api_key, rotated.api_key]) expect(text).not.toContain(secret);
    expect(text).not.toContain("correct horse");
    expect(text).not.toMatch(/argon2|invitation_token/);
  });

  it("refuses an admin append not signed by the bus key, or signed by it but not by the log key", async () => {
    const logKey = loadKeyFile(net.logKeyFile).signer;
    const bus = await connectJetStream(net.natsUrl);
    const t = topology(net.namespace);
    const append = (r: AdminRecord, busSigner: Signer) => {
      const bytes = canonicalBytes(r);
      const msg = {
        type: "sentineliq.log_append.v2",
        key: adminEntryKey(r.org, bytes),
        entry: Buffer.from(bytes).toString("base64"),
      };
      return bus.publish(t.subjects.logAppend, Buffer.from(JSON.stringify(signBusMessage(busSigner, msg))));
    };
    const rogue = Signer.generate().signer;
    const notBusSigned = tenantRecord(logKey, "forged-by-bus");
    const notLogSigned = tenantRecord(rogue, "forged-by-log");
    const honest = tenantRecord(logKey, "honest");
    await append(notBusSigned, rogue);
    await append(notLogSigned, net.busKey.signer);
    // The stream is one order: once the honest one is logged, both forgeries before it were read.
    await append(honest, net.busKey.signer);
    await bus.close();
    const keyOf = (r: AdminRecord) => adminEntryKey(r.org, canonicalBytes(r));
    await until(async () => (await entryKeys()).includes(keyOf(honest)));
    const keys = await entryKeys();
    expect(keys).not.toContain(keyOf(notBusSigned));
    expect(keys).not.toContain(keyOf(notLogSigned));
  });

  it("log show --type admin lists admin entries and login events; log verify checks every admin entry", async () => {
    const res = await fetch(`${net.url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${net.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ event_id: "login-1", kind: "login_failure", user_id: "usr_someone", ip: "203.0.113.9" }),
    });
    const event = (await res.json()) as { status: string; event_ref: string; log_index: number };
    expect(event.status).toBe("decided");
    const checkpoint = async () => Number((await (await fetch(`${net.url}/v1/log/checkpoint`)).text()).split("\n")[1]);
    await until(async () => (await checkpoint()) > event.log_index, 30_000);

    const all = await show(net.auditorKey);
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split("\n");
    const actions = lines.map((l) => l.split("\t")[2]);
    expect(actions).toEqual(
      expect.arrayContaining([
        "org.created",
        "user.registered",
        "user.invited",
        "user.deactivated",
        "user.password_reset",
        "user.role_changed",
        "org.settings_changed",
        "key.created",
        "key.rotated",
        "key.revoked",
        "rules.pack_changed",
        "login_failure",
        // The people's own logins (each one an event the validators decided).
        "login",
      ]),
    );
    const deactivated = lines.find((l) => l.includes("user.deactivated"))!.split("\t");
    expect(deactivated.slice(3)).toEqual([`user:${ids.owner}@${ids.org}`, `user:${ids.joined}`, ids.org]);
    expect(lines.find((l) => l.includes("login_failure"))).toContain(`event:${event.event_ref}`);
    // No payment decision is on the trail.
    expect(lines.every((l) => /\t((org|user|key|rules)\.|login(_failure)?\t)/.test(l))).toBe(true);

    const state = join(net.dir, "auditor-trail");
    const verified = await cli([
      "log",
      "verify",
      ...["--url", net.url, "--vkey", net.vkey, "--key", net.auditorKey],
      ...["--network", join(net.dir, "network.json"), "--state", state],
    ]);
    expect(verified.code).toBe(0);
    expect(verified.out).toMatch(/14 admin entries verified/);
  });

  it("an organisation's own key reads its admin entries; another organisation's key reads none", async () => {
    const own = await show(ids.orgKey);
    expect(own.code).toBe(0);
    const ownActions = own.stdout
      .trim()
      .split("\n")
      .map((l) => l.split("\t")[2]);
    expect(ownActions).toEqual(
      expect.arrayContaining(["org.created", "user.invited", "user.deactivated", "key.revoked"]),
    );
    expect(own.stdout).not.toContain("rules:honest");
    expect(own.stdout).not.toContain("login_failure");

    const beta = await newOwner("owner@beta.test", "Beta");
    const betaKey = (await call("POST", "/v1/keys", { name: "beta", agent_ids: ["*"] }, beta)).body.api_key as string;
    const b = await show(betaKey);
    expect(b.code).toBe(0);
    expect(b.stdout).not.toContain(ids.org);
    expect(b.stdout).not.toContain("user.deactivated");
    const [deactivated] = (await adminRows()).filter((r) => r.record.action === "user.deactivated");
    const direct = await net.get(`/v1/log/entries?start=${deactivated!.index}&limit=1`, betaKey);
    // The page starts at that index: Beta's first readable entry is a later one of its own.
    expect(direct.body.entries.map((e: { index: number }) => e.index)).not.toContain(deactivated!.index);
    const mine = await net.get(`/v1/log/entries?start=${deactivated!.index}&limit=1`, ids.orgKey);
    expect(mine.body.entries.map((e: { index: number }) => e.index)).toEqual([deactivated!.index]);

    // The configured tenants too: tenant-a reads its entry and its login event, tenant-b neither.
    const a = await show(net.apiKey);
    expect(a.stdout).toContain("rules:honest");
    expect(a.stdout).toContain("login_failure");
    expect(a.stdout).not.toContain(ids.org);
    const tb = await show(`${net.apiKey}-b`);
    expect(tb.code).toBe(0);
    expect(tb.stdout).toBe("");
  });

  it("an edited admin entry fails log verify, naming it", async () => {
    const [row] = (await adminRows()).filter((r) => r.record.action === "user.deactivated");
    const edited = { ...row!.record, actor: { ...row!.record.actor, id: "usr_someone_else" } };
    await net.db.tx(async (q) => {
      await q.query("ALTER TABLE siq_log_entries DISABLE TRIGGER siq_log_entries_append_only");
      await q.query("UPDATE siq_log_entries SET entry = $1 WHERE idx = $2", [
        Buffer.from(canonicalBytes(edited)),
        row!.index,
      ]);
      await q.query("ALTER TABLE siq_log_entries ENABLE TRIGGER siq_log_entries_append_only");
    });
    const r = await cli([
      "log",
      "verify",
      ...["--url", net.url, "--vkey", net.vkey, "--key", net.auditorKey],
      ...["--network", join(net.dir, "network.json"), "--state", join(net.dir, "auditor-tamper")],
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`entry ${row!.index}: LEAF_MISMATCH`);
  });
});
