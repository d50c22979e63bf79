/** Compliance: the same behaviours, run against the JetStream bus and the in-process bus. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropStreams, testNats, uniqueNamespace, type TestNats } from "../../test/helpers/nats.ts";
import { connectJetStream } from "./jetstream.ts";
import { memoryBus } from "./memory.ts";
import type { Bus, Delivery } from "./types.ts";

let nats: TestNats;
const ns = uniqueNamespace();
beforeAll(async () => {
  nats = await testNats();
});
afterAll(async () => {
  await dropStreams(nats.url, ns);
  await nats.stop();
});

const impls: [string, () => Promise<Bus>][] = [
  ["jetstream", () => connectJetStream(nats.url)],
  ["memory", () => Promise.resolve(memoryBus())],
];

describe.each(impls)("bus: %s", (name, make) => {
  const NS = `${ns}${name === "memory" ? "m" : "j"}`;
  const stream = { name: `${NS.toUpperCase()}_T`, subjects: [`${NS}.t.>`], maxAgeSeconds: 60 };
  const enc = (s: string) => new TextEncoder().encode(s);
  const text = (d: Delivery) => Buffer.from(d.data).toString();
  let bus: Bus;
  beforeAll(async () => {
    bus = await make();
    await bus.ensureStreams([stream]);
  });
  afterAll(async () => {
    await bus.close();
  });

  async function take(durable: string, count: number, ack = true, ackWaitMs?: number): Promise<Delivery[]> {
    const mb = await bus.mailbox({
      stream: stream.name,
      durable,
      filterSubject: `${NS}.t.>`,
      ...(ackWaitMs ? { ackWaitMs } : {}),
    });
    const got: Delivery[] = [];
    for await (const d of mb) {
      got.push(d);
      if (ack) d.ack();
      if (got.length === count) break;
    }
    await mb.close();
    return got;
  }

  it("delivers every message to each durable consumer", async () => {
    await bus.publish(`${NS}.t.a`, enc("one"));
    await bus.publish(`${NS}.t.b`, enc("two"));
    const [a, b] = await Promise.all([take("c1", 2), take("c2", 2)]);
    expect(a.map(text)).toEqual(["one", "two"]);
    expect(b.map(text)).toEqual(["one", "two"]);
  });

  it("drops a second publish with the same message id", async () => {
    const first = await bus.publish(`${NS}.t.c`, enc("three"), { msgId: "same" });
    const second = await bus.publish(`${NS}.t.c`, enc("three again"), { msgId: "same" });
    expect(first.duplicate).toBe(false);
    expect(second.duplicate).toBe(true);
  });

  it("refuses a publish no stream listens to, with a typed error", async () => {
    await expect(bus.publish(`${NS}.nowhere`, enc("x"))).rejects.toMatchObject({ code: "BUS_UNAVAILABLE" });
  });

  it("redelivers what was not acked, counting deliveries", async () => {
    await bus.publish(`${NS}.t.d`, enc("four"));
    const first = await take("c3", 4, false, 1000);
    const again = await take("c3", 1, true, 1000);
    expect(text(first[3]!)).toBe("four");
    expect(again[0]!.deliveryCount).toBeGreaterThan(1);
  });
  it("carries a request id beside the message, and drops a malformed one", async () => {
    await bus.publish(`${NS}.t.rid`, enc("with"), { requestId: "req-42" });
    await bus.publish(`${NS}.t.rid`, enc("bad"), { requestId: "no spaces\tor tabs" });
    await bus.publish(`${NS}.t.rid`, enc("without"));
    const mb = await bus.mailbox({ stream: stream.name, durable: "rid", filterSubject: `${NS}.t.rid` });
    const got: Delivery[] = [];
    for await (const d of mb) {
      d.ack();
      if (got.push(d) === 3) break;
    }
    await mb.close();
    expect(got.map((d) => [text(d), d.requestId])).toEqual([
      ["with", "req-42"],
      ["bad", undefined],
      ["without", undefined],
    ]);
    // The id is a header: the stored bytes are the message alone.
    expect(text(got[0]!)).toBe("with");
  });
});
