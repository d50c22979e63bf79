/** The registry reaches the bus even when the bus was wiped or briefly away. */
import { describe, expect, it } from "vitest";
import { memoryBus, type KvBucket } from "../../lib/bus/index.ts";
import { createLogger } from "../../lib/logger.ts";
import { AuditStateValue, busSignatureHolds, Signer, SiqError, Verifier } from "../../protocol/index.ts";
import { AuditPublisher } from "./publisher.ts";
import type { AuditRow } from "./store.ts";

const row = (c: string, state: AuditRow["state"], log_index = 1): AuditRow => ({
  code_hash: c.repeat(64),
  name: "f",
  source: "x",
  state,
  note: null,
  log_index,
  created_at: new Date("2025-01-01T00:00:00Z"),
  updated_at: new Date("2025-01-02T00:00:00Z"),
});
const logger = createLogger("test", "silent");
const signer = Signer.generate().signer;
/** A registry value as validators read it: signed by the coordinator, then the state itself. */
const read = (bytes: Uint8Array) => {
  const raw = JSON.parse(Buffer.from(bytes).toString()) as Record<string, unknown>;
  expect(busSignatureHolds(new Verifier(signer.publicKey), raw)).toBe(true);
  const { bus_signature: _, ...value } = raw;
  return AuditStateValue.parse(value);
};

describe("AuditPublisher", () => {
  it("re-publishes every row a fresh bucket lacks, and nothing twice", async () => {
    const kv = await memoryBus().kv("AUDIT");
    const p = new AuditPublisher(kv, logger, signer);
    const rows = [row("a", "approved"), row("b", "revoked", 2)];
    expect(await p.resync(rows)).toBe(2);
    expect(p.revision).toBe(2);
    const v = read((await kv.get("b".repeat(64)))!.value);
    expect(v).toMatchObject({ state: "revoked", log_index: 2, updated_at: "2025-01-02T00:00:00.000Z" });
    expect(await p.resync(rows)).toBe(0);
    expect(await p.resync([row("a", "revoked", 3), rows[1]!])).toBe(1);
    expect(p.revision).toBe(3);
  });

  it("answers 503 when the bus stays away, keeps the change and publishes it once the bus is back", async () => {
    const real = await memoryBus().kv("AUDIT");
    let down = true;
    const flaky: KvBucket = {
      ...real,
      put: (k, v) => (down ? Promise.reject(new Error("no responders")) : real.put(k, v)),
    };
    const p = new AuditPublisher(flaky, logger, signer);
    const r = row("c", "approved");
    const e = await p.publish(r).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SiqError);
    expect((e as SiqError).code).toBe("BUS_UNAVAILABLE");
    expect(p.isDirty(r.code_hash)).toBe(true);
    down = false;
    for (let i = 0; i < 50 && p.isDirty(r.code_hash); i++) await new Promise((res) => setTimeout(res, 100));
    expect(p.isDirty(r.code_hash)).toBe(false);
    expect(await real.get(r.code_hash)).not.toBeNull();
    p.stop();
  }, 15_000);

  it("never lets an older state land after a newer one", async () => {
    const real = await memoryBus().kv("AUDIT");
    let down = true;
    const flaky: KvBucket = {
      ...real,
      put: (k, v) => (down ? Promise.reject(new Error("no responders")) : real.put(k, v)),
    };
    const p = new AuditPublisher(flaky, logger, signer);
    await p.publish(row("d", "approved", 5)).catch(() => {});
    down = false;
    await p.publish(row("d", "revoked", 6));
    await new Promise((res) => setTimeout(res, 2500)); // the background retry has run by now
    const v = read((await real.get("d".repeat(64)))!.value);
    expect(v.state).toBe("revoked");
    expect(p.isDirty("d".repeat(64))).toBe(false);
    p.stop();
  }, 15_000);
});
