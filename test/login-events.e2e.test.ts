/**
 * The platform's own logins through its risk network (real NATS JetStream,
 * four validators, a real store): every attempt to `POST /v1/auth/login` is a
 * `login` event decided by quorum and logged. Twenty wrong passwords lock the
 * account by the validators' ACCOUNT_LOCKOUT rule (the right password is
 * refused too, with a doubling Retry-After), visible in the log entries; a
 * normal device logs in; a credential-stuffing address is refused while the
 * same account logs in from elsewhere; the fingerprint is the server's, not
 * the client's id; an unknown address is answered like a wrong password; and
 * with no validator answering, logins fail closed.
 */
import { execFile } from "node:child_process";
import { request } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../cli/launcher/processes.ts";
import { hashPassword, UNKNOWN_ACCOUNTS_TENANT } from "../coordinator/accounts/index.ts";
import { AccountStore } from "../coordinator/accounts/store.ts";
import { LogStore } from "../coordinator/index.ts";
import { EntryChecker, ValidatorSet } from "../protocol/index.ts";
import { startMailCatcher, type MailCatcher } from "../lib/mail-catcher.ts";
import { storeKinds } from "./helpers/db.ts";
import { linkToken } from "./helpers/operators.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

const run = promisify(execFile);
const PASSWORD = "correct horse battery";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

interface Answer {
  status: number;
  body: any;
  retryAfter: string | undefined;
}

/** POST /v1/auth/login from a chosen loopback address (127.0.0.0/8 is all ours) with chosen headers. */
function login(
  base: string,
  body: Record<string, string>,
  from: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const url = new URL("/v1/auth/login", base);
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress: from,
        headers: { "content-type": "application/json", "user-agent": FIREFOX, ...headers },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString("utf8")));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text),
            retryAfter: res.headers["retry-after"],
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

const store = storeKinds()[0]!;

describe(`operator logins through the validator network (${store})`, () => {
  let net: TestNetwork;
  let mail: MailCatcher;
  let orgId = "";
  const users = new Map<string, string>();

  /** The login events of one account (or subject), in order, with their logged decision entries. */
  const eventsOf = async (tenant: string, userId?: string) => {
    const rows = await net.db.query<{ event_ref: string; request: any; log_index: number | null }>(
      `SELECT event_ref, request, log_index FROM siq_events WHERE tenant_id = $1 ORDER BY received_at`,
      [tenant],
    );
    const entries = new Map<number, { type: string; entry: Buffer }>();
    for await (const r of new LogStore(net.db).all()) entries.set(r.index, r);
    return rows
      .filter((r) => userId === undefined || r.request.user_id === userId)
      .map((r) => ({ ...r, entry: r.log_index === null ? undefined : entries.get(r.log_index) }));
  };
  const decisionOf = (e: { entry?: { entry: Buffer } | undefined }) => JSON.parse(e.entry!.entry.toString("utf8"));

  beforeAll(async () => {
    // Behind Cloudflare with visitor location headers: logins carry geo (coordinator/accounts/geo.ts).
    mail = await startMailCatcher();
    net = await startNetwork({
      store,
      coordinatorConfig: { accounts: { geoHeaders: "cloudflare", smtpUrl: mail.url } },
    });
    const accounts = new AccountStore(net.db);
    const passwordHash = await hashPassword(PASSWORD);
    orgId = await net.db.tx(async (q) => {
      const org = await accounts.createOrg(q, "Login Security");
      for (const name of ["normal", "victim", "bf", "traveller", "s1", "s2", "s3", "s4", "s5", "s6", "same"]) {
        const email = `${name}@login.test`;
        const role = name === "normal" ? "admin" : "analyst";
        const id = await accounts.createUser(q, { orgId: org, email, passwordHash, role, verified: true });
        users.set(name, id!);
      }
      return org;
    });
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
    await mail?.stop();
  });

  it("a normal device logs in; the attempt is a login event the quorum approved, in the log", async () => {
    const ok = await login(net.url, { email: "normal@login.test", password: PASSWORD }, "127.0.0.11");
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: "Bearer" });
    const [e] = await eventsOf(orgId, users.get("normal"));
    expect(e!.request).toMatchObject({ kind: "login", outcome: "success", ip: "127.0.0.11" });
    expect(decisionOf(e!)).toMatchObject({ type: "sentineliq.event.v1", kind: "login", decision: "approve" });
    expect(decisionOf(e!).verdicts.length).toBeGreaterThanOrEqual(3);

    // The organisation's own agent key reads its login entries; another tenant's key does not.
    const key = await net.request("POST", "/v1/keys", { name: "reader", agent_ids: ["*"] }, ok.body.access_token);
    expect(key.status).toBe(200);
    const read = async (apiKey: string) => {
      const r = await net.request("GET", `/v1/log/entries?start=${e!.log_index}&limit=1`, undefined, apiKey);
      return (r.body.entries as { index: number }[]).map((x) => x.index);
    };
    expect(await read(key.body.api_key)).toEqual([e!.log_index]);
    expect(await read(net.apiKey)).toEqual([]);
  });

  it("20 wrong passwords: step-up, then the validators lock the account; the right password is refused too", async () => {
    const victim = { email: "victim@login.test", password: "not the password at all" };
    const answers: Answer[] = [];
    for (let i = 0; i < 20; i++) answers.push(await login(net.url, victim, "127.0.0.12"));
    const codes = answers.map((a) => `${a.status} ${a.body.code}`);
    expect(codes.slice(0, 4)).toEqual(Array(4).fill("401 INVALID_CREDENTIALS"));
    expect(codes.slice(4, 9)).toEqual(Array(5).fill("403 STEP_UP_REQUIRED"));
    expect(codes.slice(9)).toEqual(Array(11).fill("423 ACCOUNT_LOCKED"));
    expect(answers[9]!.body.error_details).toMatchObject({ code: "ACCOUNT_LOCKED" });
    // Exponential backoff per account: 30 s, 60 s, 120 s, … up to an hour.
    const waits = answers.slice(9).map((a) => Number(a.retryAfter));
    expect(waits.slice(0, 4)).toEqual([30, 60, 120, 240]);
    expect(waits.at(-1)).toBe(3600);

    const right = await login(net.url, { ...victim, password: PASSWORD }, "127.0.0.12");
    expect(right.status).toBe(423);
    expect(right.body.code).toBe("ACCOUNT_LOCKED");
    expect(right.body).not.toHaveProperty("access_token");

    // Each attempt is one logged event decision; the lockout is the validators' rule, by quorum.
    const events = await eventsOf(orgId, users.get("victim"));
    expect(events).toHaveLength(21);
    const decisions = events.map(decisionOf);
    expect(decisions.map((d) => d.decision)).toEqual([
      ...Array(4).fill("approve"),
      ...Array(5).fill("challenge"),
      ...Array(12).fill("reject"),
    ]);
    const last = decisions.at(-1);
    expect(events.at(-1)!.request).toMatchObject({ kind: "login", outcome: "success" });
    expect(last).toMatchObject({ kind: "login", risk_level: "CRITICAL" });
    expect(last.reasons.map((r: { code: string }) => r.code)).toContain("ACCOUNT_LOCKOUT");
    const locking = last.verdicts.filter((v: any) =>
      v.verdict.reasons.some((r: { code: string }) => r.code === "ACCOUNT_LOCKOUT"),
    );
    expect(locking.length).toBeGreaterThanOrEqual(2);
    const checker = new EntryChecker(ValidatorSet.parse(net.validatorSet));
    for (const e of events) expect(checker.check(e.entry!.entry)).toMatchObject({ ok: true, checked: true });
    // The OpenAPI document says so: 423 and 503 on login carry Retry-After.
    const doc = (await (await fetch(`${net.url}/docs/json`)).json()) as any;
    const answers423 = doc.paths["/v1/auth/login"].post.responses;
    expect(answers423["423"].headers["Retry-After"]).toBeDefined();
    expect(answers423["503"].headers["Retry-After"]).toBeDefined();
  });

  it("a step-up is asked whatever the password; the right one gets a sign-in link by mail that works once", async () => {
    const wrong = { email: "bf@login.test", password: "still not it!" };
    const answers: Answer[] = [];
    for (let i = 0; i < 5; i++) answers.push(await login(net.url, wrong, "127.0.0.18"));
    answers.push(await login(net.url, { ...wrong, password: PASSWORD }, "127.0.0.18"));
    expect(answers.map((a) => a.body.code)).toEqual([
      ...Array(4).fill("INVALID_CREDENTIALS"),
      "STEP_UP_REQUIRED",
      "STEP_UP_REQUIRED",
    ]);
    expect(answers[5]!.body).toEqual(answers[4]!.body);
    // The right password got a sign-in link by mail (the wrong ones none); it finishes the login, once.
    const sent = await mail.waitFor("bf@login.test", { subject: /sign/i });
    expect(mail.mails.filter((m) => m.to.includes("bf@login.test"))).toHaveLength(1);
    const token = linkToken(sent, net.url, "/auth/login-step-up");
    const finish = (t: string) => net.request("POST", "/v1/auth/login/step-up", { token: t });
    expect((await finish(token)).body).toMatchObject({ token_type: "Bearer" });
    expect(await finish(token)).toMatchObject({ status: 400, body: { code: "LINK_TOKEN_INVALID" } });
    const last = (await eventsOf(orgId, users.get("bf"))).at(-1)!;
    expect(decisionOf(last)).toMatchObject({ decision: "challenge", risk_level: "HIGH" });
    expect(decisionOf(last).reasons.map((r: { code: string }) => r.code)).toContain("BRUTE_FORCE");
  });

  it("`sentineliq log show` prints a lockout decision; `log verify` passes over the login entries", async () => {
    const [lockout] = (await eventsOf(orgId, users.get("victim"))).slice(-1);
    const cli = (args: string[]) => run(process.execPath, [BIN, "log", ...args, "--url", net.url], { cwd: tmpdir() });
    const shown = await cli(["show", String(lockout!.log_index), "--api-key", net.auditorKey]);
    const entry = JSON.parse(shown.stdout.slice(shown.stdout.indexOf("{")));
    expect(JSON.stringify(entry)).toContain("ACCOUNT_LOCKOUT");
    const state = mkdtempSync(join(tmpdir(), "siq-aud-"));
    await new Promise((r) => setTimeout(r, 1500)); // a checkpoint that covers the entries
    const verified = await cli(["verify", "--vkey", net.vkey, "--state", state, "--key", net.auditorKey]);
    expect(verified.stdout).toMatch(/entries verified/);
  }, 60_000);

  it("credential stuffing: one address failing for five accounts is refused; the account still logs in elsewhere", async () => {
    const stuffer = { "user-agent": "python-requests/2.32" };
    const answers: Answer[] = [];
    for (const name of ["s1", "s2", "s3", "s4", "s5"])
      answers.push(
        await login(net.url, { email: `${name}@login.test`, password: "guess-123456" }, "127.0.0.13", stuffer),
      );
    expect(answers.slice(0, 4).map((a) => a.body.code)).toEqual(Array(4).fill("INVALID_CREDENTIALS"));
    expect(answers[4]).toMatchObject({ status: 423, body: { code: "ACCOUNT_LOCKED" } });
    // The next account, right password, same address: refused.
    const same = await login(net.url, { email: "s6@login.test", password: PASSWORD }, "127.0.0.13", stuffer);
    expect(same.status).toBe(423);
    const [e] = await eventsOf(orgId, users.get("s6"));
    expect(decisionOf(e!).reasons.map((r: { code: string }) => r.code)).toContain("CREDENTIAL_STUFFING");
    // Its owner, from their own address and browser: in.
    const owner = await login(net.url, { email: "s6@login.test", password: PASSWORD }, "127.0.0.14");
    expect(owner.status).toBe(200);
  });

  it("impossible travel and sanctioned regions act on logins, from the trusted proxy's location headers", async () => {
    const body = { email: "traveller@login.test", password: PASSWORD };
    const berlin = { "cf-iplatitude": "52.52", "cf-iplongitude": "13.40", "cf-ipcountry": "DE" };
    const sydney = { "cf-iplatitude": "-33.87", "cf-iplongitude": "151.21", "cf-ipcountry": "AU" };
    const pyongyang = { "cf-iplatitude": "39.03", "cf-iplongitude": "125.75", "cf-ipcountry": "KP" };
    expect((await login(net.url, body, "127.0.0.19", berlin)).status).toBe(200);
    const far = await login(net.url, body, "127.0.0.20", sydney);
    expect({ status: far.status, code: far.body.code }).toEqual({ status: 403, code: "STEP_UP_REQUIRED" });
    const kp = await login(net.url, body, "127.0.0.21", pyongyang);
    expect({ status: kp.status, code: kp.body.code }).toEqual({ status: 423, code: "ACCOUNT_LOCKED" });
    const events = await eventsOf(orgId, users.get("traveller"));
    expect(events[0]!.request.geo).toEqual({ lat: 52.52, lon: 13.4, country_code: "DE" });
    const codes = (i: number) => decisionOf(events[i]!).reasons.map((r: { code: string }) => r.code);
    expect(codes(1)).toContain("IMPOSSIBLE_TRAVEL");
    expect(codes(2)).toContain("SANCTIONED_REGION_ACCESS");
  });

  it("nobody forges a login event: POST /v1/events refuses kind login, and a login event without an outcome", async () => {
    const forged = {
      event_id: "forged-1",
      kind: "login",
      outcome: "failure",
      user_id: users.get("normal"),
      ip: "127.0.0.1",
    };
    const r = await net.request("POST", "/v1/events", forged, net.apiKey);
    expect({ status: r.status, code: r.body.code }).toEqual({ status: 403, code: "FORBIDDEN" });
    const { outcome: _, ...bare } = forged;
    const bad = await net.request("POST", "/v1/events", bare, net.apiKey);
    expect({ status: bad.status, code: bad.body.code }).toEqual({ status: 400, code: "INVALID_REQUEST" });
    expect(bad.body.error_details.issues[0].path).toBe("outcome");
  });

  it("the fingerprint is the server's: the same client device id from another browser is another device", async () => {
    const body = { email: "same@login.test", password: PASSWORD, device_id: "laptop-1" };
    expect((await login(net.url, body, "127.0.0.15")).status).toBe(200);
    expect((await login(net.url, body, "127.0.0.15", { "user-agent": "curl/8.5.0" })).status).toBe(200);
    // Another client id from the first browser changes nothing: the id is not part of the fingerprint.
    expect((await login(net.url, { ...body, device_id: "spoofed" }, "127.0.0.15")).status).toBe(200);
    const [a, b, c] = await eventsOf(orgId, users.get("same"));
    expect(a!.request.device_id).toMatch(/^fp_[0-9a-f]{32}$/);
    expect(b!.request.device_id).not.toBe(a!.request.device_id);
    expect(c!.request.device_id).toBe(a!.request.device_id);
    expect(c!.request.metadata).toEqual({ client_device_id: "spoofed" });
    expect(a!.request.metadata).toEqual({ client_device_id: "laptop-1" });
    expect(b!.request.metadata).toEqual({ client_device_id: "laptop-1" });
  });

  it("an unknown address gets the wrong password's answer, through the same network, under a keyed hash", async () => {
    const wrong = await login(net.url, { email: "normal@login.test", password: "nope-nope-nope" }, "127.0.0.16");
    const nobody = await login(net.url, { email: "ghost@login.test", password: "nope-nope-nope" }, "127.0.0.16");
    expect({ status: nobody.status, body: nobody.body }).toEqual({ status: wrong.status, body: wrong.body });
    expect(wrong.status).toBe(401);
    const ghost = await eventsOf(UNKNOWN_ACCOUNTS_TENANT);
    expect(ghost).toHaveLength(1);
    expect(ghost[0]!.request).toMatchObject({ kind: "login", outcome: "failure" });
    expect(ghost[0]!.request.user_id).toMatch(/^anon:[0-9a-f]{32}$/);
    expect(JSON.stringify(ghost[0]!.request)).not.toContain("ghost");
    expect(decisionOf(ghost[0]!)).toMatchObject({ kind: "login", decision: "approve" });
  });
});

describe(`operator logins with no validator answering (${store})`, () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ store, running: 0, deadlineMs: 300 });
    await new AccountStore(net.db).db.tx(async (q) => {
      const s = new AccountStore(net.db);
      const org = await s.createOrg(q, "Dark");
      await s.createUser(q, {
        orgId: org,
        email: "dark@login.test",
        passwordHash: await hashPassword(PASSWORD),
        role: "owner",
        verified: true,
      });
    });
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("fails closed: the right password gets 503 LOGIN_UNDECIDED with Retry-After, and no tokens", async () => {
    const r = await login(net.url, { email: "dark@login.test", password: PASSWORD }, "127.0.0.17");
    expect(r).toMatchObject({ status: 503, body: { code: "LOGIN_UNDECIDED" }, retryAfter: "5" });
    expect(r.body).not.toHaveProperty("access_token");
  });
});
