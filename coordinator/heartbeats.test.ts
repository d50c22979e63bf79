import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { memoryBus } from "../lib/bus/index.ts";
import { signHeartbeat, Signer, topology, ValidatorSet } from "../protocol/index.ts";
import { watchHeartbeats, type Heartbeats } from "./heartbeats.ts";
import { createMetrics } from "./metrics.ts";

const t = topology("siq");
const bus = memoryBus();
const signers = [1, 2, 3].map(() => Signer.generate().signer);
const ids = ["v1", "v2", "v3"];
/** A fresh beat signed by `id`'s own key, sent now (fake time). */
const beatOf = (id: string) => signHeartbeat(signers[ids.indexOf(id)]!, id);
const signal = (id: string) => bus.signal(t.subjects.heartbeat(id), beatOf(id));

describe("validator liveness from heartbeats", () => {
  let liveness: Heartbeats;
  let metrics: ReturnType<typeof createMetrics>;
  const gauge = async () => (await metrics.validatorsAlive.get()).values[0]?.value;

  beforeEach(() => {
    vi.useFakeTimers();
    metrics = createMetrics();
    const set = ValidatorSet.parse({
      validators: ids.map((id, i) => ({ id, public_key: Buffer.from(signers[i]!.publicKey).toString("hex") })),
    });
    liveness = watchHeartbeats(bus, t, set, 5000, metrics.validatorsAlive);
  });
  afterEach(() => {
    liveness.stop();
    vi.useRealTimers();
  });

  it("counts a validator on its heartbeat, with no one asking", async () => {
    expect(await gauge()).toBe(0);
    signal("v1");
    signal("v2");
    expect(await gauge()).toBe(2);
    expect(liveness.alive()).toBe(2);
  });

  it("drops a validator when its heartbeat goes stale, and only then", async () => {
    signal("v1");
    signal("v2");
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(1000);
      signal("v1"); // v1 keeps beating; v2 stopped
    }
    vi.advanceTimersByTime(999);
    expect(await gauge()).toBe(2);
    vi.advanceTimersByTime(1);
    expect(await gauge()).toBe(1);
    vi.advanceTimersByTime(5000);
    expect(await gauge()).toBe(0);
    signal("v2");
    expect(await gauge()).toBe(1);
  });

  it("attack: heartbeats for ids outside the validator set, or from another namespace, do not count", async () => {
    bus.signal(t.subjects.heartbeat("v9"), beatOf("v1"));
    bus.signal(t.subjects.heartbeat(""), beatOf("v1"));
    bus.signal(t.subjects.heartbeat("__proto__"), beatOf("v1"));
    bus.signal(topology("other").subjects.heartbeat("v1"), beatOf("v1"));
    expect(await gauge()).toBe(0);
    expect(liveness.alive()).toBe(0);
  });

  it("attack: an unsigned beat, one signed by another key, or v2's beat sent as v1, does not count", () => {
    bus.signal(t.subjects.heartbeat("v1"), new TextEncoder().encode("v1"));
    bus.signal(t.subjects.heartbeat("v1"), signHeartbeat(Signer.generate().signer, "v1"));
    bus.signal(t.subjects.heartbeat("v1"), beatOf("v2"));
    bus.signal(t.subjects.heartbeat("v1"), new TextEncoder().encode('{"type":1e400}'));
    expect(liveness.alive()).toBe(0);
    expect(liveness.refused()).toBe(4);
  });

  it("attack: a replayed beat does not keep a stopped validator alive", () => {
    const old = beatOf("v1");
    bus.signal(t.subjects.heartbeat("v1"), old);
    expect(liveness.alive()).toBe(1);
    vi.advanceTimersByTime(4000);
    bus.signal(t.subjects.heartbeat("v1"), old); // replayed within the timeout: not later than the last one
    vi.advanceTimersByTime(1000);
    expect(liveness.alive()).toBe(0);
    vi.advanceTimersByTime(10_000);
    bus.signal(t.subjects.heartbeat("v1"), old); // replayed after it: too old
    expect(liveness.alive()).toBe(0);
    expect(liveness.refused()).toBe(2);
  });

  it("stops listening when stopped", async () => {
    liveness.stop();
    signal("v1");
    expect(await gauge()).toBe(0);
  });
});
