/**
 * The authenticated bus: a network on a nats-server of its own that admits
 * only the network's NKey users, each role with the permissions
 * `busPermissions` derives from the topology. The network decides payments
 * with no permission violation; an anonymous client is refused; validator
 * v1's credentials cannot publish tasks, settlement orders, log appends,
 * registry values or another validator's verdicts, nor delete or purge a
 * stream, nor make another's consumer, nor read another role's replies.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, nkeyAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { hashFunctionSource } from "../sdk/src/normalise.ts";
import { roleInbox, roleName, type BusRole } from "../lib/bus/index.ts";
import { topology, type Topology } from "../protocol/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

const V1: BusRole = { kind: "validator", id: "v1" };
const COORDINATOR: BusRole = { kind: "coordinator" };

let net: TestNetwork;
let t: Topology;
const open: NatsConnection[] = [];

async function connectAs(role: BusRole): Promise<NatsConnection> {
  const seed = readFileSync(join(net.dir, "nats", `${roleName(role)}.nk`), "utf8").trim();
  const nc = await connect({
    servers: net.natsUrl,
    authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
    inboxPrefix: roleInbox(role),
    reconnect: false,
  });
  open.push(nc);
  return nc;
}

/** A JetStream publish that must not be stored: refused (permissions violation) or never acknowledged. */
async function refused(nc: NatsConnection, subject: string): Promise<void> {
  await expect(jetstream(nc).publish(subject, "forged", { timeout: 3000 })).rejects.toThrow(/permission|timeout/i);
}

async function messages(jsm: JetStreamManager, stream: string): Promise<number> {
  return (await jsm.streams.info(stream)).state.messages;
}

beforeAll(async () => {
  net = await startNetwork({ store: "pglite", auth: true });
  t = topology(net.namespace);
}, 120_000);

afterAll(async () => {
  for (const nc of open) await nc.close().catch(() => {});
  await net?.stop();
});

describe("an authenticated bus", () => {
  it("decides a payment end to end with every role inside its permissions", async () => {
    const res = await net.post(net.payment());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ decision: "approve", risk_level: "LOW" });
    // A registry value (the coordinator puts it, every validator watches it).
    const f = hashFunctionSource("async function payAuth(client, i) { return client.pay({ amount: i.total }); }");
    const code = { code_hash: f.hash, name: "payAuth", source: f.normalised };
    expect((await net.request("POST", "/v1/audit/code", code)).status).toBe(200);
    const approved = await net.request("POST", `/v1/audit/code/${f.hash}/approve`, { note: "ok" }, net.auditorKey);
    expect(approved.status).toBe(200);
    // The validators cosign the log's checkpoints: they answer the coordinator's witness requests.
    await vi.waitFor(
      async () => {
        const note = await (await fetch(`${net.url}/v1/log/checkpoint`)).text();
        expect(note.split("\n").filter((l) => l.startsWith("\u2014 ")).length).toBeGreaterThanOrEqual(2);
      },
      { timeout: 30_000, interval: 250 },
    );
    expect(net.natsServer!.violations()).toEqual([]);
  });

  it("refuses an anonymous connection", async () => {
    await expect(connect({ servers: net.natsUrl, reconnect: false })).rejects.toThrow(/authoriz|authenticat/i);
  });

  it("validator v1 cannot publish tasks, orders, log appends, registry values or v2's verdicts", async () => {
    const nc = await connectAs(V1);
    const admin = await jetstreamManager(await connectAs(COORDINATOR));
    const before = {
      payments: await messages(admin, t.streams.payments.name),
      verdicts: await messages(admin, t.streams.verdicts.name),
      settlements: await messages(admin, t.streams.settlements.name),
      log: await messages(admin, t.streams.log.name),
      audit: await messages(admin, `KV_${t.buckets.audit}`),
    };
    for (const subject of [
      t.subjects.evaluate,
      t.subjects.evaluateEvent,
      t.subjects.settle,
      t.subjects.logAppend,
      `$KV.${t.buckets.audit}.${"ab".repeat(32)}`,
      t.subjects.verdict("v2"),
      t.subjects.eventVerdict("v2"),
      t.subjects.deadLetter("aggregator"),
    ])
      await refused(nc, subject);
    expect({
      payments: await messages(admin, t.streams.payments.name),
      verdicts: await messages(admin, t.streams.verdicts.name),
      settlements: await messages(admin, t.streams.settlements.name),
      log: await messages(admin, t.streams.log.name),
      audit: await messages(admin, `KV_${t.buckets.audit}`),
    }).toEqual(before);
    const publishViolations = net.natsServer!.violations().filter((l) => /publish/i.test(l));
    expect(publishViolations.length).toBeGreaterThanOrEqual(8);
  });

  it("validator v1 cannot delete or purge a stream, nor create another's consumer", async () => {
    const jsm = await jetstreamManager(await connectAs(V1), { checkAPI: false });
    await expect(jsm.streams.delete(t.streams.payments.name)).rejects.toThrow(/permission|timeout/i);
    await expect(jsm.streams.purge(t.streams.log.name)).rejects.toThrow(/permission|timeout/i);
    await expect(jsm.streams.delete(`KV_${t.buckets.audit}`)).rejects.toThrow(/permission|timeout/i);
    await expect(
      jsm.consumers.add(t.streams.payments.name, { durable_name: t.consumers.validator("v2") }),
    ).rejects.toThrow(/permission|timeout/i);
    await expect(jsm.consumers.add(t.streams.verdicts.name, { durable_name: "snoop" })).rejects.toThrow(
      /permission|timeout/i,
    );
    const admin = await jetstreamManager(await connectAs(COORDINATOR));
    for (const stream of [t.streams.payments.name, t.streams.log.name, `KV_${t.buckets.audit}`])
      await expect(admin.streams.info(stream)).resolves.toBeDefined();
    expect(await messages(admin, t.streams.log.name)).toBeGreaterThan(0);
  });

  it("validator v1 cannot read another role's replies or another validator's witness subject", async () => {
    const nc = await connectAs(V1);
    for (const subject of [`${roleInbox(COORDINATOR)}.>`, t.subjects.witnessAddCheckpoint("v2"), t.subjects.evaluate]) {
      const sub = nc.subscribe(subject);
      await expect(sub.closed).resolves.toBeInstanceOf(Error);
    }
  });

  it("the coordinator's credentials publish tasks, orders and log appends; validator v1 its own verdicts", async () => {
    const js = jetstream(await connectAs(COORDINATOR));
    // A message the actors cannot read: each dead-letters it and reads on.
    for (const subject of [t.subjects.evaluate, t.subjects.settle, t.subjects.logAppend])
      await expect(js.publish(subject, "{}", { timeout: 5000 })).resolves.toMatchObject({ duplicate: false });
    const v1 = jetstream(await connectAs(V1));
    await expect(v1.publish(t.subjects.verdict("v1"), "{}", { timeout: 5000 })).resolves.toMatchObject({
      duplicate: false,
    });
    // The network still decides payments.
    await vi.waitFor(async () => expect((await net.post(net.payment())).body).toMatchObject({ decision: "approve" }), {
      timeout: 30_000,
      interval: 500,
    });
  });
});
