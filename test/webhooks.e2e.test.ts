/**
 * Webhooks end to end, as an organisation meets them: a real coordinator and
 * validators, an owner registering an endpoint over HTTP for a receiver on
 * loopback (the operator setting `webhooks.allowPrivateUrls` is on here; it is
 * off by default), then a payment to North Korea (KP), which the default pack
 * rejects, arriving as a correctly signed `payment.rejected`. Challenged
 * payments and an approver's decision arrive too; the delivery log and replay
 * work over HTTP; other roles get 403, another organisation 404 and nothing.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { BIN } from "../cli/launcher/processes.ts";
import { contradict } from "./helpers/equivocate.ts";
import { hashPassword } from "../coordinator/accounts/index.ts";
import { AccountStore } from "../coordinator/accounts/store.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";
import { httpClient } from "./helpers/operators.ts";
import { startReceiver, verifySignature, type Receiver } from "./helpers/receivers.ts";

const PASSWORD = "correct horse battery";
const run = promisify(execFile);

describe("webhooks end to end", () => {
  let net: TestNetwork;
  let http: ReturnType<typeof httpClient>;
  let mine: Receiver;
  let theirs: Receiver;
  const org = { a: "", b: "" };
  const token = { owner: "", viewer: "", other: "" };
  const hook = { id: "", secret: "", other: "" };

  const login = async (email: string) => {
    const r = await http("POST", "/v1/auth/login", { email, password: PASSWORD });
    expect(r.status).toBe(200);
    return r.body.access_token as string;
  };
  const arrived = async (r: Receiver, type: string, paymentId: string) => {
    const end = Date.now() + 20_000;
    for (;;) {
      const got = r.got.find((g) => {
        const b = JSON.parse(g.body);
        return b.type === type && b.data.payment_id === paymentId;
      });
      if (got) return got;
      if (Date.now() > end) throw new Error(`no ${type} for ${paymentId}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  };

  beforeAll(async () => {
    [mine, theirs] = await Promise.all([startReceiver(), startReceiver()]);
    net = await startNetwork({
      store: "pglite",
      coordinatorConfig: { webhooks: { allowPrivateUrls: true, backoffBaseMs: 200, maxAttempts: 3 } },
    });
    http = httpClient(net.url);
    const accounts = new AccountStore(net.db);
    const passwordHash = await hashPassword(PASSWORD);
    await net.db.tx(async (q) => {
      org.a = await accounts.createOrg(q, "Acme");
      await accounts.setTenant(q, org.a, "tenant-a");
      org.b = await accounts.createOrg(q, "Bolt");
      await accounts.setTenant(q, org.b, "tenant-b");
      const user = (orgId: string, email: string, role: "owner" | "viewer") =>
        accounts.createUser(q, { orgId, email, passwordHash, role, verified: true });
      await user(org.a, "owner@acme.test", "owner");
      await user(org.a, "viewer@acme.test", "viewer");
      await user(org.b, "owner@bolt.test", "owner");
    });
    token.owner = await login("owner@acme.test");
    token.viewer = await login("viewer@acme.test");
    token.other = await login("owner@bolt.test");
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
    await mine?.stop();
    await theirs?.stop();
  });

  it("an owner registers an endpoint (secret shown once); a viewer, an agent key and nobody cannot", async () => {
    const body = { url: mine.url, events: ["payment.rejected", "payment.challenged", "case.decided"] };
    const r = await http("POST", "/v1/webhooks", body, token.owner);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ url: mine.url, format: "sentineliq", events: body.events });
    expect(r.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    hook.id = r.body.webhook_id;
    hook.secret = r.body.secret;
    const list = await http("GET", "/v1/webhooks", undefined, token.owner);
    expect(list.body.webhooks.map((w: { webhook_id: string }) => w.webhook_id)).toEqual([hook.id]);
    expect(JSON.stringify(list.body)).not.toContain(hook.secret);
    expect((await http("POST", "/v1/webhooks", body, token.viewer)).status).toBe(403);
    expect((await http("GET", "/v1/webhooks", undefined, token.viewer)).status).toBe(403);
    expect((await http("POST", "/v1/webhooks", body, net.apiKey)).body.code).toBe("FORBIDDEN");
    expect((await http("POST", "/v1/webhooks", body)).status).toBe(401);
    const bad = await http("POST", "/v1/webhooks", { ...body, url: "gopher://127.0.0.1/" }, token.owner);
    expect(bad.body).toMatchObject({ statusCode: 400, code: "WEBHOOK_URL_REFUSED" });
    const pd = await http("POST", "/v1/webhooks", { ...body, format: "pagerduty" }, token.owner);
    expect(pd.body).toMatchObject({ statusCode: 400, code: "INVALID_REQUEST" });
    const other = await http("POST", "/v1/webhooks", { ...body, url: theirs.url }, token.other);
    hook.other = other.body.webhook_id;
  });

  it("a KP payment, rejected by the default pack, arrives as a correctly signed payment.rejected", async () => {
    const paid = await net.post(net.payment({ metadata: { country_code: "KP" } }));
    expect(paid.body).toMatchObject({ status: "rejected", decision: "reject" });
    const got = await arrived(mine, "payment.rejected", paid.body.payment_id);
    expect(verifySignature(hook.secret, String(got.headers["sentineliq-signature"]), got.body)).toBe(true);
    expect(JSON.parse(got.body)).toMatchObject({
      id: `payment.rejected:${paid.body.payment_id}:1`,
      type: "payment.rejected",
      org: org.a,
      data: {
        payment_id: paid.body.payment_id,
        status: "rejected",
        risk_level: "CRITICAL",
        error_details: paid.body.error_details,
        log_index: paid.body.log_index,
      },
    });
    // The delivery log says so, over HTTP; another organisation's receiver got nothing.
    const log = await http("GET", `/v1/webhooks/${hook.id}/deliveries`, undefined, token.owner);
    const d = log.body.deliveries.find((x: { event_id: string }) => x.event_id.includes(paid.body.payment_id));
    expect(d).toMatchObject({ state: "delivered", attempts: [{ attempt: 1, status_code: 200 }] });
    expect(got.headers["idempotency-key"]).toBe(d.delivery_id);
    expect(theirs.got).toEqual([]);
    const metrics = await (await fetch(`${net.url}/metrics`)).text();
    expect(metrics).toMatch(/^siq_webhook_attempts_total\{outcome="delivered"\} [1-9]/m);
    expect(metrics).toMatch(/^siq_webhook_attempt_duration_seconds_count [1-9]/m);
    // Replayed by hand: delivered again, with the same idempotency key.
    const before = mine.got.length;
    const replay = await http("POST", `/v1/webhooks/deliveries/${d.delivery_id}/replay`, undefined, token.owner);
    expect(replay.body).toMatchObject({ delivery_id: d.delivery_id, state: "pending" });
    await mine.waitFor(before + 1);
    expect(mine.got.at(-1)!.headers["idempotency-key"]).toBe(d.delivery_id);
    // Another organisation's owner: 404 for my endpoint and my delivery, and my viewer 403.
    expect((await http("GET", `/v1/webhooks/${hook.id}/deliveries`, undefined, token.other)).status).toBe(404);
    expect((await http("DELETE", `/v1/webhooks/${hook.id}`, undefined, token.other)).status).toBe(404);
    const foreign = `/v1/webhooks/deliveries/${d.delivery_id}/replay`;
    expect((await http("POST", foreign, undefined, token.other)).status).toBe(404);
    expect((await http("POST", foreign, undefined, token.viewer)).status).toBe(403);
  });

  it("a challenged payment and the approver's decline arrive as payment.challenged and case.decided", async () => {
    const high = net.payment({
      amount: "25000.00",
      trace_context: { purpose: "pay invoice INV-7781 for the licence" },
    });
    const first = await net.post(high);
    expect(first.body.status).toBe("challenged");
    await arrived(mine, "payment.challenged", first.body.payment_id);
    const ch = first.body.challenge;
    const declined = await net.request("POST", `/v1/challenges/${ch.challenge_id}/decline`, {}, net.approverKey);
    expect(declined.status).toBe(200);
    const got = await arrived(mine, "case.decided", first.body.payment_id);
    expect(JSON.parse(got.body).data).toMatchObject({ challenge_id: ch.challenge_id, decision: "decline" });
    // Another, approved: its case.decided names the approver.
    const second = await net.post({ ...high, idempotency_key: `${high.idempotency_key}-2` });
    const ch2 = second.body.challenge;
    const approved = await net.request("POST", `/v1/challenges/${ch2.challenge_id}/approve`, {}, net.approverKey);
    expect(approved.status).toBe(200);
    const got2 = await arrived(mine, "case.decided", second.body.payment_id);
    expect(JSON.parse(got2.body).data).toMatchObject({ challenge_id: ch2.challenge_id, decision: "approve" });
    expect(typeof JSON.parse(got2.body).data.by).toBe("string");
    expect(theirs.got).toEqual([]);
  });

  it("the console: `sentineliq webhook add | list | deliveries | replay | rm` as the owner", async () => {
    const cli = async (...args: string[]) => {
      const env = {
        ...process.env,
        SENTINELIQ_URL: net.url,
        SENTINELIQ_EMAIL: "owner@acme.test",
        SENTINELIQ_PASSWORD: PASSWORD,
      };
      try {
        const r = await run(process.execPath, [BIN, "webhook", ...args], { env, cwd: net.dir });
        return { code: 0, out: r.stdout, err: r.stderr };
      } catch (e) {
        const x = e as { code: number; stdout: string; stderr: string };
        return { code: x.code, out: x.stdout, err: x.stderr };
      }
    };
    const slack = await startReceiver();
    try {
      const added = await cli("add", slack.url, "--event", "payment.rejected", "--format", "slack");
      expect(added.code, added.err).toBe(0);
      expect(added.out).toMatch(/^✓ wh_[a-z0-9]{16} {2}slack/);
      expect(added.out).toMatch(/^whsec_/m);
      const slackId = /wh_[a-z0-9]{16}/.exec(added.out)![0];
      expect((await cli("list")).out).toContain(`${hook.id}  sentineliq  ${mine.url}`);
      const paid = await net.post(net.payment({ metadata: { country_code: "KP" } }));
      const [got] = await slack.waitFor(1);
      expect(JSON.parse(got!.body).text).toContain(`payment.rejected ${paid.body.payment_id}`);
      await arrived(mine, "payment.rejected", paid.body.payment_id);
      const log = await cli("deliveries", hook.id);
      expect(log.out).toMatch(/^dlv_[0-9a-f]{32} {2}delivered {2}payment\.rejected/m);
      const deliveryId = /dlv_[0-9a-f]{32}/.exec(log.out)![0];
      const before = mine.got.length;
      const replayed = await cli("replay", deliveryId);
      expect(replayed.out).toContain(`✓ ${deliveryId}  pending`);
      await mine.waitFor(before + 1);
      expect((await cli("rm", slackId)).out).toContain(`✓ deleted ${slackId}`);
      const refused = await cli("replay", "dlv_nope");
      expect(refused.code).toBe(1);
      expect(refused.err).toContain("400 INVALID_REQUEST");
    } finally {
      await slack.stop();
    }
  });

  it("tenant B's rejected payment goes to B's endpoint only; a deleted endpoint gets nothing more", async () => {
    const paid = await net.post(net.payment({ metadata: { country_code: "KP" } }), net.apiKey + "-b");
    expect(paid.body.status).toBe("rejected");
    const got = await arrived(theirs, "payment.rejected", paid.body.payment_id);
    expect(JSON.parse(got.body).org).toBe(org.b);
    expect(mine.got.some((g) => g.body.includes(paid.body.payment_id))).toBe(false);
    const gone = await http("DELETE", `/v1/webhooks/${hook.id}`, undefined, token.owner);
    expect(gone.status).toBe(200);
    const before = mine.got.length;
    await net.post(net.payment({ metadata: { country_code: "KP" } }));
    await new Promise((res) => setTimeout(res, 1000));
    expect(mine.got.length).toBe(before);
  });

  it("network-wide events reach every subscribed organisation: log.alarm, then validator.flagged", async () => {
    const [a, b] = await Promise.all([startReceiver(), startReceiver()]);
    try {
      const events = ["log.alarm", "validator.flagged"];
      const ha = await http("POST", "/v1/webhooks", { url: a.url, events }, token.owner);
      const hb = await http("POST", "/v1/webhooks", { url: b.url, events }, token.other);
      // A signed checkpoint larger than the tree (as if the log had lost entries): the checkpointer refuses and alarms.
      await net.db.query("INSERT INTO siq_log_checkpoints (size, root, signed_note) VALUES ($1, $2, $3)", [
        1_000_000,
        randomBytes(32),
        "forged",
      ]);
      const paid = await net.post(net.payment());
      expect(paid.body.decision).toBe("approve");
      const type = (r: typeof a, t: string) => r.got.find((g) => JSON.parse(g.body).type === t);
      const both = async (t: string) => {
        const end = Date.now() + 30_000;
        while (!type(a, t) || !type(b, t)) {
          if (Date.now() > end) throw new Error(`${t} did not reach both`);
          await new Promise((res) => setTimeout(res, 50));
        }
        return [JSON.parse(type(a, t)!.body), JSON.parse(type(b, t)!.body)];
      };
      const [alarmA, alarmB] = await both("log.alarm");
      expect(alarmA).toMatchObject({ org: org.a, data: { kind: "inconsistent_checkpoint", last_size: 1_000_000 } });
      expect(alarmB.org).toBe(org.b);
      // v2 contradicts its counted verdict on that payment: excluded, and both organisations are told.
      await contradict(net, "v2", paid.body.payment_id);
      const [flagA, flagB] = await both("validator.flagged");
      expect(flagA.data).toEqual({
        validator_id: "v2",
        reason: "equivocation",
        payment_id: paid.body.payment_id,
        attempt: 1,
      });
      expect(flagB.org).toBe(org.b);
      expect([ha.status, hb.status]).toEqual([200, 200]);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
