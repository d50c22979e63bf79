/**
 * An actor's read loop and its quarantine, on JetStream and on the in-process bus: a message whose handler throws
 * is retried, then dead-lettered with why; an unreadable one is dead-lettered at once; the actor reads on, and a
 * plain subscriber (the coordinator's metric) sees each dead letter.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../logger.ts";
import { DeadLetter, topology } from "../../protocol/index.ts";
import { dropStreams, testNats, uniqueNamespace, type TestNats } from "../../test/helpers/nats.ts";
import { drain } from "./drain.ts";
import { connectJetStream } from "./jetstream.ts";
import { memoryBus } from "./memory.ts";
import { openQuarantine } from "./quarantine.ts";
import type { Bus } from "./types.ts";

let nats: TestNats;
beforeAll(async () => {
  nats = await testNats();
});
afterAll(async () => {
  await nats.stop();
});

const impls: [string, () => Promise<Bus>][] = [
  ["jetstream", () => connectJetStream(nats.url)],
  ["memory", () => Promise.resolve(memoryBus())],
];

const until = async (ok: () => boolean, ms = 20_000) => {
  for (const end = Date.now() + ms; !ok();) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe.each(impls)("quarantine: %s", (_name, make) => {
  const t = topology(uniqueNamespace());
  const enc = (s: string) => new TextEncoder().encode(s);
  let bus: Bus;
  beforeAll(async () => {
    bus = await make();
    await bus.ensureStreams([t.streams.payments]);
  });
  afterAll(async () => {
    await bus.close();
    await dropStreams(nats.url, t.namespace);
  });

  it("retries a throwing message, dead-letters it after maxDeliver, and reads on", async () => {
    const seen: string[] = [];
    const letters: DeadLetter[] = [];
    const sub = bus.onSignal(t.subjects.deadLetterWildcard, (_s, data) =>
      letters.push(DeadLetter.parse(JSON.parse(Buffer.from(data).toString("utf8")))),
    );
    const quarantine = await openQuarantine({
      bus,
      topology: t,
      actor: "test-actor",
      logger: createLogger("test", "silent"),
      maxDeliver: 3,
    });
    const mailbox = await bus.mailbox({ stream: t.streams.payments.name, durable: "test-actor", ackWaitMs: 30_000 });
    const reading = drain(
      mailbox,
      (d) => {
        const text = Buffer.from(d.data).toString("utf8");
        seen.push(`${text}#${d.deliveryCount}`);
        if (text === "unreadable") return quarantine.reject(d, "malformed: not a task");
        if (text === "poison") throw new Error("handler bug");
        d.ack();
      },
      quarantine,
    );
    for (const m of ["good-1", "poison", "unreadable", "good-2"]) await bus.publish(t.subjects.evaluate, enc(m));
    await until(() => letters.length === 2 && seen.includes("good-2#1"));
    await bus.publish(t.subjects.evaluate, enc("good-3"));
    await until(() => seen.includes("good-3#1"));
    await reading.stop();
    sub.stop();

    // The poison message was offered 3 times, then given up; the unreadable one once.
    expect(seen.filter((s) => s.startsWith("poison#"))).toEqual(["poison#1", "poison#2", "poison#3"]);
    expect(seen.filter((s) => s.startsWith("unreadable#"))).toEqual(["unreadable#1"]);
    const byData = new Map(letters.map((l) => [Buffer.from(l.data, "base64").toString("utf8"), l]));
    expect(byData.get("poison")).toMatchObject({
      actor: "test-actor",
      subject: t.subjects.evaluate,
      deliveries: 3,
      reason: "failed 3 times: handler bug",
    });
    expect(byData.get("unreadable")).toMatchObject({ deliveries: 1, reason: "malformed: not a task" });

    // The letters are kept in the dead-letter stream, too.
    const dead = await bus.mailbox({ stream: t.streams.deadLetters.name, durable: "reader" });
    const stored: string[] = [];
    for await (const d of dead) {
      stored.push(d.subject);
      d.ack();
      if (stored.length === 2) break;
    }
    await dead.close();
    expect(stored).toEqual([t.subjects.deadLetter("test-actor"), t.subjects.deadLetter("test-actor")]);
  }, 60_000);
});
