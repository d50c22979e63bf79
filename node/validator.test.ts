import { afterAll, describe, expect, it } from "vitest";
import { memoryBus } from "../lib/bus/index.ts";
import { createLogger } from "../lib/logger.ts";
import {
  paymentDigest,
  signBusMessage,
  SignedVerdict,
  Signer,
  topology,
  Verifier,
  type EvaluationTask,
} from "../protocol/index.ts";
import { loadPack } from "../rules/index.ts";
import { PackSchedule } from "./packs.ts";
import { scorePayment } from "./scorer.ts";
import { ValidatorState } from "./state/state.ts";
import { runValidator } from "./validator.ts";

const coordinator = Signer.generate().signer;
const task = (payment_id: string): EvaluationTask => {
  const t = unsigned(payment_id);
  return { ...t, payment_digest: paymentDigest(t.payment_id, t.tenant_id, t.payment) };
};
const unsigned = (payment_id: string): EvaluationTask => ({
  type: "sentineliq.task.v1",
  payment_id,
  attempt: 1,
  tenant_id: "t",
  payment_digest: "a".repeat(64),
  submitted_at: new Date().toISOString(),
  deadline_at: new Date(Date.now() + 60_000).toISOString(),
  payment: {
    idempotency_key: payment_id,
    agent_id: "agent-1",
    sender: "11111111111111111111111111111111",
    receiver: "SysvarC1ock11111111111111111111111111111111",
    amount: "12.50",
    currency: "USDC",
    debug_mode: false,
    func_stack_hashes: [],
    trace_context: { purpose: "pay invoice 1" },
  },
});

describe("validator actor", () => {
  const bus = memoryBus();
  afterAll(() => bus.close());

  it("a task its scorer throws on does not stop it: the others get verdicts, the bad one comes again", async () => {
    const t = topology("vq");
    const scorer = { state: new ValidatorState(), packs: new PackSchedule(loadPack()) };
    let badCalls = 0;
    const actor = await runValidator({
      id: "v1",
      bus,
      signer: Signer.generate().signer,
      busKey: new Verifier(coordinator.publicKey),
      topology: t,
      logger: createLogger("test", "silent"),
      maxInFlight: 16,
      score: (tk, now) => {
        if (tk.payment_id === "pay_bad") {
          badCalls++;
          throw new Error("scorer bug");
        }
        return scorePayment(scorer, tk, "v1", now);
      },
    });
    const enc = (x: EvaluationTask) => new TextEncoder().encode(JSON.stringify(signBusMessage(coordinator, x)));
    await bus.publish(t.subjects.evaluate, enc(task("pay_bad")));
    await bus.publish(t.subjects.evaluate, enc(task("pay_ok")));
    const verdicts = await bus.mailbox({ stream: t.streams.verdicts.name, durable: "reader" });
    const seen: string[] = [];
    for await (const d of verdicts) {
      const v = SignedVerdict.parse(JSON.parse(Buffer.from(d.data).toString()));
      seen.push(v.verdict.payment_id);
      d.ack();
      break;
    }
    await verdicts.close();
    expect(seen).toEqual(["pay_ok"]);
    await expect.poll(() => badCalls, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    expect(actor.stats.voted).toBe(1);
    await actor.stop();
  });
});
