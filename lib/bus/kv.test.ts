/** Compliance: the key-value bucket behaves the same on NATS KV and in process. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testNats, uniqueNamespace, type TestNats } from "../../test/helpers/nats.ts";
import { connectJetStream } from "./jetstream.ts";
import { memoryBus } from "./memory.ts";
import type { Bus, KvBucket, KvEntry, KvWatch } from "./types.ts";

let nats: TestNats;
const bucketName = `${uniqueNamespace().toUpperCase()}_KV`;
beforeAll(async () => {
  nats = await testNats();
});
afterAll(async () => {
  const { connect } = await import("@nats-io/transport-node");
  const { jetstreamManager } = await import("@nats-io/jetstream");
  const nc = await connect({ servers: nats.url });
  await (await jetstreamManager(nc)).streams.delete(`KV_${bucketName}`).catch(() => {});
  await nc.close();
  await nats.stop();
});

const impls: [string, () => Promise<Bus>][] = [
  ["jetstream", () => connectJetStream(nats.url)],
  ["memory", () => Promise.resolve(memoryBus())],
];

const enc = (s: string) => new TextEncoder().encode(s);
const text = (e: KvEntry) => Buffer.from(e.value).toString();

async function take(w: KvWatch, n: number): Promise<KvEntry[]> {
  const got: KvEntry[] = [];
  for await (const e of w) {
    got.push(e);
    if (got.length === n) break;
  }
  return got;
}

describe.each(impls)("kv bucket: %s", (_name, make) => {
  let bus: Bus;
  let kv: KvBucket;
  beforeAll(async () => {
    bus = await make();
    kv = await bus.kv(bucketName);
  });
  afterAll(async () => {
    await bus.close();
  });

  it("keeps the latest value per key, with rising revisions", async () => {
    const r1 = await kv.put("a", enc("one"));
    const r2 = await kv.put("a", enc("two"));
    expect(r2).toBeGreaterThan(r1);
    const got = await kv.get("a");
    expect(got && text(got)).toBe("two");
    expect(got?.revision).toBe(r2);
    expect(await kv.get("missing")).toBeNull();
    expect(await kv.revision()).toBe(r2);
  });

  it("a watch starts with each key's latest value, then follows later puts", async () => {
    await kv.put("b", enc("bee"));
    const w = await kv.watch();
    const initial = await take(w, 2);
    expect(initial.map((e) => `${e.key}=${text(e)}`).sort()).toEqual(["a=two", "b=bee"]);
    const r = await kv.put("c", enc("sea"));
    const [next] = await take(w, 1);
    expect(next).toMatchObject({ key: "c", revision: r });
    await w.stop();
  });

  it("a second handle on the same bucket sees the same data", async () => {
    const again = await bus.kv(bucketName);
    expect(text((await again.get("c"))!)).toBe("sea");
    expect(await again.revision()).toBe(await kv.revision());
  });
});

describe("kv watch: stop", () => {
  it.each(impls)("%s: stop() ends a loop waiting for the next entry", async (_name, make) => {
    const bus = await make();
    const kv = await bus.kv(bucketName);
    await kv.put("stop-key", enc("x"));
    const w = await kv.watch();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const e of w) seen.push(e.key);
    })();
    await new Promise((r) => setTimeout(r, 100));
    await w.stop();
    await loop;
    expect(seen).toContain("stop-key");
    await bus.close();
  });
});
