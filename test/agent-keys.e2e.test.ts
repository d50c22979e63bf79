/**
 * Agent API keys and the account commands end to end, as an organisation
 * meets them: a real coordinator and validators, mail to a real SMTP server on
 * loopback, and `sentineliq org | user | key` run as processes. An owner
 * creates a key bound to agent-x and pays with it; the key is shown once,
 * rotated and revoked with effect on the very next request; analysts and
 * viewers cannot create keys; and two organisations never see each other's
 * people, keys or payments (404, never 403), nor count them in their analytics.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../cli/launcher/processes.ts";
import { startMailCatcher, type MailCatcher } from "../lib/mail-catcher.ts";
import { storeKinds } from "./helpers/db.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";
import { httpClient, linkToken } from "./helpers/operators.ts";

const run = promisify(execFile);
const PASSWORD = "correct horse battery";

describe("agent keys and the account commands", () => {
  let net: TestNetwork;
  let mail: MailCatcher;
  let http: ReturnType<typeof httpClient>;
  const a = { owner: "ada@acme.test", access: "", apiKey: "", keyId: "", payment: "" };
  const b = { owner: "bea@bolt.test", access: "", apiKey: "", keyId: "", payment: "", userId: "" };

  const cli = async (args: string[], as: { user?: string; password?: string } = {}) => {
    const env = {
      ...process.env,
      SENTINELIQ_URL: net.url,
      SENTINELIQ_PASSWORD: as.password ?? PASSWORD,
      ...(as.user ? { SENTINELIQ_EMAIL: as.user } : {}),
    };
    try {
      const r = await run(process.execPath, [BIN, ...args], { env, cwd: net.dir });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout, err: x.stderr };
    }
  };
  const follow = async (to: string, subject: RegExp, page: string, after: number) =>
    linkToken(await mail.waitFor(to, { subject, after }), net.url, page);
  const login = async (email: string) => {
    const r = await http("POST", "/v1/auth/login", { email, password: PASSWORD });
    expect(r.status).toBe(200);
    return r.body.access_token as string;
  };
  /** `sentineliq user invite`, then the invitee joins through the mailed link. */
  const invite = async (by: string, email: string, role: string) => {
    const seen = mail.mails.length;
    const r = await cli(["user", "invite", email, "--role", role], { user: by });
    expect(r.out).toContain(`invited ${email} as ${role}`);
    const token = await follow(email, /invited/i, "/auth/accept-invite", seen);
    const joined = await http("POST", "/v1/auth/register", { email, password: PASSWORD, invitation_token: token });
    expect(joined.status).toBe(200);
  };
  const pay = (key: string, agent: string) => net.post(net.payment({ agent_id: agent }), key);

  beforeAll(async () => {
    mail = await startMailCatcher();
    const store = storeKinds().at(-1)!;
    net = await startNetwork({ store, coordinatorConfig: { accounts: { smtpUrl: mail.url } } });
    http = httpClient(net.url);
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
    await mail?.stop();
  });

  it("`org create` registers an organisation; its owner verifies the mailed link and signs in", async () => {
    for (const [o, name] of [
      [a, "Acme"],
      [b, "Bolt"],
    ] as const) {
      const seen = mail.mails.length;
      const r = await cli(["org", "create", name, "--owner", o.owner]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain(`organisation "${name}" registered with ${o.owner}`);
      const token = await follow(o.owner, /verify/i, "/auth/verify-email", seen);
      expect((await http("POST", "/v1/auth/verify-email", { token })).status).toBe(200);
      o.access = await login(o.owner);
    }
    const weak = await cli(["org", "create", "Weak", "--owner", "w@weak.test"], { password: "short" });
    expect({ code: weak.code, err: weak.err }).toMatchObject({
      code: 1,
      err: expect.stringContaining("WEAK_PASSWORD"),
    });
  });

  it("an owner creates a key bound to agent-x: shown once, pays as agent-x, not as agent-y", async () => {
    const r = await cli(["key", "create", "--agent", "agent-x", "--name", "checkout", "--json"], { user: a.owner });
    expect(r.code, r.err).toBe(0);
    const key = JSON.parse(r.out);
    expect(key).toMatchObject({ status: "active", agent_ids: ["agent-x"], name: "checkout" });
    expect(key.api_key).toMatch(new RegExp(`^siq_live_${key.key_id}_[A-Za-z0-9_-]{43}$`));
    Object.assign(a, { apiKey: key.api_key, keyId: key.key_id });

    const ok = await pay(a.apiKey, "agent-x");
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: "settled", decision: "approve" });
    a.payment = ok.body.payment_id;
    const other = await pay(a.apiKey, "agent-y");
    expect({ status: other.status, code: other.body.code }).toEqual({ status: 403, code: "AGENT_NOT_ALLOWED" });

    const listed = await cli(["key", "list"], { user: a.owner });
    expect(listed.out).toContain(`${a.keyId}  siq_live_${a.keyId}_…  active`);
    expect(listed.out).not.toContain(a.apiKey.slice(-43));
    const asJson = await http("GET", "/v1/keys", undefined, a.access);
    expect(JSON.stringify(asJson.body)).not.toContain(a.apiKey.slice(-43));
  });

  it("an analyst and a viewer cannot create, list, rotate or revoke keys (403); the CLI logs out after each command", async () => {
    await invite(a.owner, "ana@acme.test", "analyst");
    await invite(a.owner, "vic@acme.test", "viewer");
    for (const who of ["ana@acme.test", "vic@acme.test"]) {
      for (const args of [["create", "--agent", "agent-x"], ["list"], ["rotate", a.keyId], ["revoke", a.keyId]]) {
        const r = await cli(["key", ...args], { user: who });
        expect({ who, args, code: r.code }).toEqual({ who, args, code: 1 });
        expect(r.err).toContain("403 FORBIDDEN");
      }
    }
    expect((await pay(a.apiKey, "agent-x")).status).toBe(200);
    // Every command signed in and out again: no session is left open.
    const open = await net.db.query(
      `SELECT count(*)::int AS n FROM siq_sessions s JOIN siq_users u ON u.id = s.user_id
       WHERE u.email IN ('ana@acme.test', 'vic@acme.test') AND s.revoked_at IS NULL`,
    );
    expect(open[0]).toEqual({ n: 0 });
  });

  it("rotate: the old key is refused at once, the new one works; revoke: the very next request is refused", async () => {
    const got = `/v1/payments/${a.payment}`;
    // The key id with another secret is nobody.
    const forged = `siq_live_${a.keyId}_${"A".repeat(43)}`;
    expect((await net.get(got, forged)).status).toBe(401);
    const r = await cli(["key", "rotate", a.keyId, "--json"], { user: a.owner });
    const rotated = JSON.parse(r.out);
    expect(rotated.key_id).toBe(a.keyId);
    expect((await net.get(got, a.apiKey)).status).toBe(401);
    expect((await net.get(got, rotated.api_key)).status).toBe(200);
    a.apiKey = rotated.api_key;

    const revoked = await cli(["key", "revoke", a.keyId], { user: a.owner });
    expect(revoked.out).toContain(`✗ ${a.keyId}`);
    const next = await net.get(got, a.apiKey);
    expect({ status: next.status, code: next.body.code }).toEqual({ status: 401, code: "UNAUTHENTICATED" });
    expect((await pay(a.apiKey, "agent-x")).status).toBe(401);
    const again = await cli(["key", "rotate", a.keyId], { user: a.owner });
    expect(again.err).toContain("409 CONFLICT");
  });

  it("two organisations: another's people, keys and payments are 404, never 403 and never data", async () => {
    const ka = (await http("POST", "/v1/keys", { name: "a2", agent_ids: ["*"] }, a.access)).body;
    const kb = (await http("POST", "/v1/keys", { name: "b", agent_ids: ["*"] }, b.access)).body;
    b.apiKey = kb.api_key;
    b.keyId = kb.key_id;
    b.payment = (await pay(b.apiKey, "agent-b")).body.payment_id;
    a.payment = (await pay(ka.api_key, "agent-a")).body.payment_id;
    b.userId = (await http("GET", "/v1/users/me", undefined, b.access)).body.id;
    const notFound = (r: { status: number; body: any }, what: string) =>
      expect({ what, status: r.status, code: r.body.code }).toEqual({ what, status: 404, code: "NOT_FOUND" });

    // Account and key routes, with A's owner and B's ids.
    notFound(await http("DELETE", `/v1/admin/users/${b.userId}`, undefined, a.access), "deactivate B's owner");
    notFound(await http("POST", `/v1/keys/${b.keyId}/rotate`, undefined, a.access), "rotate B's key");
    notFound(await http("DELETE", `/v1/keys/${b.keyId}`, undefined, a.access), "revoke B's key");
    const keysA = JSON.stringify((await http("GET", "/v1/keys", undefined, a.access)).body);
    const usersA = JSON.stringify((await http("GET", "/v1/admin/users", undefined, a.access)).body);
    expect(keysA).not.toContain(b.keyId);
    expect(usersA).not.toContain(b.owner);
    expect((await http("GET", "/v1/users/me", undefined, a.access)).body.organization.name).toBe("Acme");
    // B's key still works: nothing A did touched it.
    expect((await net.get(`/v1/payments/${b.payment}`, b.apiKey)).status).toBe(200);

    // Payments, with each organisation's key and the config tenant's, on the others' ids.
    for (const [key, id, what] of [
      [ka.api_key, b.payment, "A reads B's payment"],
      [b.apiKey, a.payment, "B reads A's payment"],
      [net.apiKey, a.payment, "the config tenant reads A's payment"],
    ] as const) {
      notFound(await net.get(`/v1/payments/${id}`, key), what);
      notFound(await net.get(`/v1/payments/${id}/receipt`, key), `${what}'s receipt`);
      notFound(await net.respond(id, { challenge_id: "c", nonce: "n", responses: {} }, key), `${what}: respond`);
    }
  });

  it("analytics: an organisation's people and agent keys see its payments, never another organisation's", async () => {
    const dash = (key: string) => http("GET", "/v1/analytics/dashboard?bucket=minute", undefined, key);
    const byOwner = await dash(b.access);
    expect(byOwner.status).toBe(200);
    // B made exactly one payment; A and the config tenant made others in the same minutes.
    expect(byOwner.body.totals).toMatchObject({ payments: 1, decided: 1, decisions: { approve: 1 } });
    expect((await dash(b.apiKey)).body.totals).toEqual(byOwner.body.totals);
    expect((await dash(a.access)).body.totals.payments).toBeGreaterThanOrEqual(1);
    // Nothing names another organisation: a stray parameter is refused, not obeyed.
    const stray = await http("GET", "/v1/analytics/dashboard?tenant_id=tenant-a", undefined, b.access);
    expect({ status: stray.status, code: stray.body.code }).toEqual({ status: 400, code: "INVALID_REQUEST" });
  });
});
