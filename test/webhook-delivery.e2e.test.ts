/**
 * Webhook delivery against real HTTP receivers on loopback, through a real
 * NATS JetStream (the fan-out and dispatcher's durable consumers) and a real
 * store: a signed happy path, a receiver that fails twice then recovers, one
 * that times out, a dead delivery replayed by hand, another organisation that
 * never receives my events, and events nobody signed or sent twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectJetStream, type Bus } from "../lib/bus/index.ts";
import type { Db } from "../lib/db.ts";
import { createLogger } from "../lib/logger.ts";
import { migrate } from "../coordinator/store/index.ts";
import { startWebhooks, WebhooksConfig, type RunningWebhooks } from "../coordinator/webhooks/index.ts";
import { Signer, SiqError, topology } from "../protocol/index.ts";
import { dropStreams, testNats, uniqueNamespace, type TestNats } from "./helpers/nats.ts";
import { storeKinds, testStore, type TestStore } from "./helpers/db.ts";
import { startReceiver, verifySignature, type Receiver } from "./helpers/receivers.ts";

const config = WebhooksConfig.parse({
  allowPrivateUrls: true,
  maxAttempts: 3,
  backoffBaseMs: 300,
  timeoutMs: 1500,
  concurrency: 4,
});
const logger = createLogger("test", "silent");
const busSigner = Signer.generate().signer;

describe("webhook delivery to real receivers", () => {
  let nats: TestNats;
  let store: TestStore;
  let db: Db;
  let bus: Bus;
  let hooks: RunningWebhooks;
  const ns = uniqueNamespace();
  const t = topology(ns);
  const a = { orgId: "org_a", userId: "usr_a" };
  const b = { orgId: "org_b", userId: "usr_b" };
  const receivers: Receiver[] = [];
  const receiver = async (answer?: Receiver["answer"]) => {
    const r = await startReceiver(answer);
    receivers.push(r);
    return r;
  };
  let n = 0;
  /** A payment.rejected event for tenant-a (org A acts as it), with a fresh id. */
  const rejected = (tenant = "tenant-a") => ({
    id: `payment.rejected:pay_${++n}:1`,
    type: "payment.rejected" as const,
    tenant,
    data: { payment_id: `pay_${n}`, status: "rejected", error_details: { code: "SANCTIONED_COUNTRY" } },
  });
  const deliveries = async (p: typeof a, id: string) => (await hooks.service.deliveries(p, id)).deliveries;
  const until = async <T>(what: () => Promise<T | undefined>, ms = 20_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const v = await what();
      if (v !== undefined) return v;
      if (Date.now() > end) throw new Error("timed out");
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const settled = (p: typeof a, id: string, state: string) =>
    until(async () => (await deliveries(p, id)).find((d) => d.state === state));

  beforeAll(async () => {
    nats = await testNats();
    store = testStore(storeKinds().at(-1)!); // PostgreSQL when DATABASE_URL is set
    db = await store.open();
    await migrate(db);
    await db.query(
      `INSERT INTO siq_orgs (id, name, tenant_id) VALUES ('org_a', 'A', 'tenant-a'), ('org_b', 'B', NULL)`,
    );
    bus = await connectJetStream(nats.url, "webhooks-test");
    hooks = await startWebhooks({ db, bus, topology: t, busSigner, config, logger });
  });
  afterAll(async () => {
    await hooks?.stop();
    for (const r of receivers) await r.stop();
    await bus?.close();
    await dropStreams(nats.url, ns).catch(() => {});
    await nats?.stop();
    await store?.drop();
  });

  it("delivers a payment.rejected signed with the endpoint's secret: body, idempotency key, delivery log", async () => {
    const r = await receiver();
    const w = await hooks.service.create(a, { url: r.url, events: ["payment.rejected"], format: "sentineliq" });
    expect(w.secret).toMatch(/^whsec_/);
    expect(JSON.stringify(await hooks.service.list(a))).not.toContain(w.secret);
    const e = rejected();
    hooks.emit(e);
    const [got] = await r.waitFor(1);
    expect(verifySignature(w.secret, String(got!.headers["sentineliq-signature"]), got!.body)).toBe(true);
    expect(verifySignature("whsec_wrong", String(got!.headers["sentineliq-signature"]), got!.body)).toBe(false);
    expect(String(got!.headers["sentineliq-signature"])).toMatch(/^t=\d{10},v1=[0-9a-f]{64}$/);
    const body = JSON.parse(got!.body);
    expect(body).toMatchObject({ id: e.id, type: "payment.rejected", org: "org_a", data: e.data });
    expect(Date.parse(body.created_at)).toBeGreaterThan(0);
    const d = await settled(a, w.webhook_id, "delivered");
    expect(got!.headers["idempotency-key"]).toBe(d.delivery_id);
    expect(d.attempts).toMatchObject([{ attempt: 1, replay: 0, status_code: 200, error: null }]);
    // The delivery log lists the newest first.
    const next = rejected();
    hooks.emit(next);
    await r.waitFor(2);
    await until(async () => ((await deliveries(a, w.webhook_id)).length === 2 ? true : undefined));
    expect((await deliveries(a, w.webhook_id)).map((x) => x.event_id)).toEqual([next.id, e.id]);
  });

  it("retries a receiver that answers 500 twice with a growing delay, then delivers on the third attempt", async () => {
    const r = await receiver((i) => (i < 2 ? 500 : 200));
    const w = await hooks.service.create(a, { url: r.url, events: ["payment.rejected"], format: "sentineliq" });
    hooks.emit(rejected());
    const got = await r.waitFor(3);
    const d = await settled(a, w.webhook_id, "delivered");
    expect(d.attempts.map((x) => x.status_code)).toEqual([500, 500, 200]);
    expect(d.attempts[0]!.error).toBe("HTTP 500");
    // Exponential backoff: about 300 ms, then about 600 ms.
    const gaps = [got[1]!.at - got[0]!.at, got[2]!.at - got[1]!.at];
    expect(gaps[0]).toBeGreaterThanOrEqual(250);
    expect(gaps[1]).toBeGreaterThanOrEqual(550);
    // Every attempt is the same delivery: the same idempotency key, each freshly signed.
    expect(new Set(got.map((g) => g.headers["idempotency-key"])).size).toBe(1);
    for (const g of got)
      expect(verifySignature(w.secret, String(g.headers["sentineliq-signature"]), g.body)).toBe(true);
  });

  it("keeps a failed delivery across a restart: the durable consumer hands it to the next dispatcher", async () => {
    const r = await receiver((i) => (i === 0 ? 500 : 200));
    const w = await hooks.service.create(a, { url: r.url, events: ["payment.rejected"], format: "sentineliq" });
    hooks.emit(rejected());
    await until(async () => ((await deliveries(a, w.webhook_id))[0]?.attempts.length === 1 ? true : undefined));
    await new Promise((res) => setTimeout(res, 100)); // the order is handed back (nak) just after the attempt is stored
    await hooks.stop();
    hooks = await startWebhooks({ db, bus, topology: t, busSigner, config, logger });
    const d = await settled(a, w.webhook_id, "delivered");
    expect(d.attempts.map((x) => x.status_code)).toEqual([500, 200]);
  });

  it("does not follow a redirect: a 3xx is a failed attempt", async () => {
    const r = await receiver((i) => (i === 0 ? 302 : 200));
    const w = await hooks.service.create(a, { url: r.url, events: ["payment.rejected"], format: "sentineliq" });
    hooks.emit(rejected());
    const d = await settled(a, w.webhook_id, "delivered");
    expect(d.attempts.map((x) => [x.status_code, x.error])).toEqual([
      [302, "HTTP 302"],
      [200, null],
    ]);
  });

  it("gives up on a receiver that does not answer in time, and delivers once it does", async () => {
    const r = await receiver((i) => (i === 0 ? "hang" : 200));
    const w = await hooks.service.create(a, { url: r.url, events: ["payment.rejected"], format: "sentineliq" });
    hooks.emit(rejected());
    const d = await settled(a, w.webhook_id, "delivered");
    expect(d.attempts[0]).toMatchObject({ status_code: null, error: "timed out after 1500 ms" });
    expect(d.attempts[0]!.duration_ms).toBeGreaterThanOrEqual(1400);
    expect(d.attempts[1]).toMatchObject({ status_code: 200 });
  });

  it("marks a delivery dead after the last attempt; a manual replay delivers it once the receiver recovers", async () => {
    const r = await receiver(() => 503);
    const w = await hooks.service.create(a, { url: r.url, events: ["payment.rejected"], format: "sentineliq" });
    hooks.emit(rejected());
    const dead = await settled(a, w.webhook_id, "dead");
    expect(dead.attempts.map((x) => x.status_code)).toEqual([503, 503, 503]);
    await new Promise((res) => setTimeout(res, 1500));
    expect(r.got.length).toBe(3);
    r.answer = () => 200;
    // Another organisation cannot replay it: its id is not found.
    await expect(hooks.service.replay(b, dead.delivery_id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const replayed = await hooks.service.replay(a, dead.delivery_id);
    expect(replayed.state).toBe("pending");
    const done = await settled(a, w.webhook_id, "delivered");
    expect(done.delivery_id).toBe(dead.delivery_id);
    expect(done.attempts.at(-1)).toMatchObject({ attempt: 1, replay: 1, status_code: 200 });
    expect(r.got.at(-1)!.headers["idempotency-key"]).toBe(dead.delivery_id);
  });

  it("never delivers my events to another organisation, nor shows or lets it touch my endpoints", async () => {
    const mine = await receiver();
    const theirs = await receiver();
    const wa = await hooks.service.create(a, { url: mine.url, events: ["payment.rejected"], format: "sentineliq" });
    const wb = await hooks.service.create(b, { url: theirs.url, events: ["payment.rejected"], format: "sentineliq" });
    hooks.emit(rejected("tenant-a"));
    await mine.waitFor(1);
    hooks.emit(rejected("org_b"));
    await theirs.waitFor(1);
    await new Promise((res) => setTimeout(res, 500));
    expect(mine.got.length).toBe(1);
    expect(theirs.got.length).toBe(1);
    expect(JSON.parse(theirs.got[0]!.body).org).toBe("org_b");
    expect((await hooks.service.list(b)).webhooks.map((w) => w.webhook_id)).toEqual([wb.webhook_id]);
    const notFound = { code: "NOT_FOUND" } satisfies Partial<SiqError>;
    await expect(hooks.service.deliveries(b, wa.webhook_id)).rejects.toMatchObject(notFound);
    await expect(hooks.service.remove(b, wa.webhook_id)).rejects.toMatchObject(notFound);
    // Deleted: nothing more is delivered to it.
    await hooks.service.remove(a, wa.webhook_id);
    hooks.emit(rejected("tenant-a"));
    await new Promise((res) => setTimeout(res, 800));
    expect(mine.got.length).toBe(1);
  });

  it("delivers an event seen twice once, and nothing for an event the coordinator did not sign", async () => {
    const r = await receiver();
    await hooks.service.create(a, { url: r.url, events: ["payment.challenged"], format: "sentineliq" });
    const forged = {
      id: "payment.challenged:forged:1",
      type: "payment.challenged",
      created_at: new Date().toISOString(),
    };
    const bytes = new TextEncoder().encode(JSON.stringify({ ...forged, tenant: "tenant-a", data: {} }));
    await bus.publish(t.subjects.webhookEvent, bytes);
    const e = { ...rejected(), id: "payment.challenged:twice:1", type: "payment.challenged" as const };
    hooks.emit(e);
    hooks.emit(e);
    await r.waitFor(1);
    await new Promise((res) => setTimeout(res, 800));
    expect(r.got.map((g) => JSON.parse(g.body).id)).toEqual([e.id]);
  });

  it("speaks Slack's incoming webhooks and PagerDuty's Events API v2", async () => {
    const slack = await receiver();
    const pd = await receiver();
    await hooks.service.create(a, { url: slack.url, events: ["validator.flagged"], format: "slack" });
    await hooks.service.create(a, {
      url: pd.url,
      events: ["validator.flagged"],
      format: "pagerduty",
      routing_key: "R0UTINGKEY0123456789",
    });
    // A network-wide event (no tenant) goes to every organisation subscribed to it.
    hooks.emit({
      id: "validator.flagged:v3:pay_x:1",
      type: "validator.flagged",
      tenant: null,
      data: { validator_id: "v3" },
    });
    const [s] = await slack.waitFor(1);
    expect(JSON.parse(s!.body)).toEqual({ text: "SentinelIQ validator.flagged v3" });
    const [p] = await pd.waitFor(1);
    expect(JSON.parse(p!.body)).toMatchObject({
      routing_key: "R0UTINGKEY0123456789",
      event_action: "trigger",
      dedup_key: "validator.flagged:v3:pay_x:1",
      payload: { summary: "SentinelIQ validator.flagged v3", source: "sentineliq", severity: "critical" },
    });
  });
});
