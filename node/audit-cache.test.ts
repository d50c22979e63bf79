/** The validator's registry copy follows the bus and drives the default pack's code rules. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectJetStream, memoryBus, type Bus } from "../lib/bus/index.ts";
import { createLogger } from "../lib/logger.ts";
import {
  canonicalBytes,
  LegacyTags,
  signBusMessage,
  Signer,
  TypeTags,
  Verifier,
  type AuditState,
  type EvaluationTask,
  type PaymentRequest,
} from "../protocol/index.ts";
import { loadPack, paymentFacts } from "../rules/index.ts";
import { dropStreams, testNats, uniqueNamespace, type TestNats } from "../test/helpers/nats.ts";
import { startAuditCache, type AuditCache } from "./audit-cache.ts";

const EXAMPLE = "e57eb157d61a56f8d32a82fa47d04e96e531734430c80f6cb6b38d49137429f0";
const A = "a".repeat(64);
const B = "b".repeat(64);
/** The coordinator's bus key: the cache believes only values it signed. */
const coordinator = Signer.generate().signer;

let nats: TestNats;
const ns = uniqueNamespace();
beforeAll(async () => {
  nats = await testNats();
});
afterAll(async () => {
  await dropStreams(nats.url, ns);
  const { connect } = await import("@nats-io/transport-node");
  const { jetstreamManager } = await import("@nats-io/jetstream");
  const nc = await connect({ servers: nats.url });
  await (await jetstreamManager(nc)).streams.delete(`KV_${ns.toUpperCase()}_JETSTREAM_AUDIT`).catch(() => {});
  await nc.close();
  await nats.stop();
});

const impls: [string, () => Promise<Bus>][] = [
  ["jetstream", () => connectJetStream(nats.url)],
  ["memory", () => Promise.resolve(memoryBus())],
];

const payment = (hashes: string[]): PaymentRequest => ({
  idempotency_key: "k",
  agent_id: "a",
  sender: "11111111111111111111111111111111",
  // Not the sender, with a stated purpose: the default pack challenges self-payments and missing purposes.
  receiver: "SysvarC1ock11111111111111111111111111111111",
  amount: "12.50",
  currency: "USDC",
  debug_mode: true,
  trace_context: { purpose: "pay invoice 7781" },
  func_stack_hashes: hashes,
  metadata: { country_code: "DE" },
});

describe.each(impls)("audit cache on %s", (name, make) => {
  const bucket = `${ns.toUpperCase()}_${name.toUpperCase()}_AUDIT`;
  let bus: Bus;
  let cache: AuditCache;
  const put = async (
    hash: string,
    state: AuditState,
    type: string = TypeTags.audit_state,
    signer: Signer | null = coordinator,
  ) => {
    const kv = await bus.kv(bucket);
    const value = {
      type,
      code_hash: hash,
      state,
      log_index: 1,
      updated_at: new Date().toISOString(),
    };
    return kv.put(hash, canonicalBytes(signer ? signBusMessage(signer, value) : value));
  };
  const until = async (rev: number) => {
    for (let i = 0; i < 200 && cache.revision < rev; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cache.revision).toBeGreaterThanOrEqual(rev);
  };

  beforeAll(async () => {
    bus = await make();
    // Before the cache starts, and under the tag before v2 (a bucket written by an older coordinator): it counts too.
    await put(A, "approved", LegacyTags.audit_state);
    cache = await startAuditCache(bus, bucket, createLogger("test", "silent"), new Verifier(coordinator.publicKey));
  });
  afterAll(async () => {
    await cache.stop();
    await bus.close();
  });

  it("serves approved and revoked hashes as live lists, pending on neither", async () => {
    await until(await put(B, "pending"));
    expect(cache.lists.get("audited_code")?.has(A)).toBe(true);
    expect(cache.lists.get("audited_code")?.has(B)).toBe(false);
    expect(cache.lists.get("revoked_code")?.has(B)).toBe(false);
    expect(cache.lists.get("something_else")).toBeUndefined();
  });

  it("moves a hash between lists as its state changes", async () => {
    await until(await put(B, "approved"));
    expect(cache.lists.get("audited_code")?.has(B)).toBe(true);
    await until(await put(B, "revoked"));
    expect(cache.lists.get("audited_code")?.has(B)).toBe(false);
    expect(cache.lists.get("revoked_code")?.has(B)).toBe(true);
  });

  it("believes no value without the coordinator's signature: unsigned or signed by another key, it is ignored", async () => {
    const F = "f".repeat(64);
    const before = cache.refused;
    await until(await put(F, "approved", TypeTags.audit_state, null));
    await until(await put(F, "approved", TypeTags.audit_state, Signer.generate().signer));
    expect(cache.lists.get("audited_code")?.has(F)).toBe(false);
    expect(cache.refused).toBe(before + 2);
    await until(await put(F, "approved"));
    expect(cache.lists.get("audited_code")?.has(F)).toBe(true);
  });

  it("says when a task needs a newer registry state", () => {
    const task = (audit_revision?: number) => ({ audit_revision }) as EvaluationTask;
    expect(cache.behind(task(undefined))).toBe(false);
    expect(cache.behind(task(cache.revision))).toBe(false);
    expect(cache.behind(task(cache.revision + 1))).toBe(true);
  });

  it("drives the default pack: approved LOW, pending MEDIUM, revoked CRITICAL (even if the pack lists it)", async () => {
    const pack = loadPack(undefined, cache.lists);
    const judge = (hashes: string[]) => pack.evaluate(paymentFacts(payment(hashes)));
    expect(judge([EXAMPLE, A]).risk_level).toBe("LOW");
    const c = "c".repeat(64);
    await until(await put(c, "pending"));
    expect(judge([A, c])).toMatchObject({
      risk_level: "MEDIUM",
      reasons: [expect.objectContaining({ code: "UNAUDITED_CODE_PATH" })],
    });
    expect(judge([A, B]).risk_level).toBe("CRITICAL");
    expect(judge([A, B]).reasons.map((r) => r.code)).toContain("REVOKED_CODE_PATH");
    await until(await put(EXAMPLE, "revoked"));
    expect(judge([EXAMPLE]).risk_level).toBe("CRITICAL");
  });
});
