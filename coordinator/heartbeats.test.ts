import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { memoryBus } from "../lib/bus/index.ts";
import { topology, ValidatorSet } from "../protocol/index.ts";
import { watchHeartbeats, type Heartbeats } from "./heartbeats.ts";
import { createMetrics } from "./metrics.ts";

const t = topology("siq");
const encoder = new TextEncoder();
/** A validator's beat carries its own id, as node/validator.ts sends it. */
const beat = (id: string) => encoder.encode(id);

describe("validator liveness from heartbeats", () => {
  let liveness: Heartbeats;
  let metrics: ReturnType<typeof createMetrics>;
  const bus = memoryBus();
  const gauge = async () => (await metrics.validatorsAlive.get()).values[0]?.value;

  beforeEach(() => {
    vi.useFakeTimers();
    metrics = createMetrics();
    const set = ValidatorSet.parse({
      validators: [1, 2, 3].map((i) => ({ id: `v${i}`, public_key: String(i).repeat(64) })),
    });
    liveness = watchHeartbeats(bus, t, set, 5000, metrics.validatorsAlive);
  });
  afterEach(() => {
    liveness.stop();
    vi.useRealTimers();
  });

  it("counts a validator on its heartbeat, with no one asking", async () => {
    expect(await gauge()).toBe(0);
    bus.signal(t.subjects.heartbeat("v1"), beat("v1"));
    bus.signal(t.subjects.heartbeat("v2"), beat("v2"));
    expect(await gauge()).toBe(2);
    expect(liveness.alive()).toBe(2);
  });

  it("drops a validator when its heartbeat goes stale, and only then", async () => {
    bus.signal(t.subjects.heartbeat("v1"), beat("v1"));
    bus.signal(t.subjects.heartbeat("v2"), beat("v2"));
    for (let i = 0; i < 4; i++) {
      vi.advanceTimersByTime(1000);
      bus.signal(t.subjects.heartbeat("v1"), beat("v1")); // v1 keeps beating; v2 stopped
    }
    vi.advanceTimersByTime(999);
    expect(await gauge()).toBe(2);
    vi.advanceTimersByTime(1);
    expect(await gauge()).toBe(1);
    vi.advanceTimersByTime(5000);
    expect(await gauge()).toBe(0);
    bus.signal(t.subjects.heartbeat("v2"), beat("v2"));
    expect(await gauge()).toBe(1);
  });

  it("attack: a beat whose payload is not its subject's id (a message aimed there by another) does not count", async () => {
    bus.signal(t.subjects.heartbeat("v1"), encoder.encode('{"state":"approved"}'));
    bus.signal(t.subjects.heartbeat("v2"), beat("v1"));
    bus.signal(t.subjects.heartbeat("v3"), new Uint8Array());
    expect(await gauge()).toBe(0);
    expect(liveness.alive()).toBe(0);
  });

  it("attack: heartbeats for ids outside the validator set, or from another namespace, do not count", async () => {
    bus.signal(t.subjects.heartbeat("v9"), beat("v9"));
    bus.signal(t.subjects.heartbeat(""), beat(""));
    bus.signal(t.subjects.heartbeat("__proto__"), beat("__proto__"));
    bus.signal(topology("other").subjects.heartbeat("v1"), beat("v1"));
    expect(await gauge()).toBe(0);
    expect(liveness.alive()).toBe(0);
  });

  it("stops listening when stopped", async () => {
    liveness.stop();
    bus.signal(t.subjects.heartbeat("v1"), beat("v1"));
    expect(await gauge()).toBe(0);
  });
});
