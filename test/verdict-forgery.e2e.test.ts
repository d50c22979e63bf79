/**
 * Verdicts that must not count: a forged signature, a key outside the
 * validator set, a verdict for another payment digest. Two honest validators
 * run; v3 and v4 are silent, so only injected verdicts could complete the
 * quorum of 3. A control case injects a correctly signed v3 verdict and does.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvaluationTask, signVerdict, Signer, topology, type Verdict } from "../protocol/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

describe("verdicts the coordinator must ignore", () => {
  let net: TestNetwork;
  let nc: NatsConnection;
  beforeAll(async () => {
    net = await startNetwork({ store: "pglite", running: 2, deadlineMs: 1500 });
    nc = await connect({ servers: net.natsUrl });
  });
  afterAll(async () => {
    await nc?.close();
    await net?.stop();
  });

  /** Submits a payment and, when its task appears on the bus, injects verdicts made by `forge`. */
  async function payWithInjected(
    forge: (task: EvaluationTask) => { subject: string; verdict: ReturnType<typeof signVerdict> }[],
  ) {
    const t = topology(net.namespace);
    const sub = nc.subscribe(t.subjects.evaluate, { max: 1 });
    const injected = (async () => {
      for await (const m of sub) {
        const task = EvaluationTask.parse(m.json());
        for (const f of forge(task)) nc.publish(f.subject, JSON.stringify(f.verdict));
      }
    })();
    await nc.flush();
    const res = await net.post(net.payment());
    await injected;
    return res.body;
  }

  const lowVerdict = (task: EvaluationTask, validatorId: string): Verdict => ({
    type: "sentineliq.verdict.v1",
    payment_id: task.payment_id,
    attempt: task.attempt,
    payment_digest: task.payment_digest,
    validator_id: validatorId,
    risk_level: "LOW",
    score: 0,
    reasons: [],
    rule_pack: "0".repeat(64),
    evaluated_at: new Date().toISOString(),
  });

  it("ignores verdicts signed by keys outside the validator set, and fails closed", async () => {
    const t = topology(net.namespace);
    const stranger = Signer.generate().signer;
    const paid = await payWithInjected((task) => [
      // claims to be v3 but is signed by an unknown key
      { subject: t.subjects.verdict("v3"), verdict: signVerdict(stranger, lowVerdict(task, "v3")) },
      // a validator id that is not in the set at all
      { subject: t.subjects.verdict("v9"), verdict: signVerdict(stranger, lowVerdict(task, "v9")) },
    ]);
    expect(paid.decision).toBe("challenge");
    expect(paid.reasons[0].code).toBe("QUORUM_TIMEOUT");
    const shown = await net.get(`/v1/payments/${paid.payment_id}`);
    const voters = shown.body.verdicts.map((v: { verdict: { validator_id: string } }) => v.verdict.validator_id).sort();
    expect(voters).toEqual(["v1", "v2"]);
    const metrics = await (await fetch(`${net.url}/metrics`)).text();
    expect(metrics).toMatch(/siq_verdicts_total\{validator="v3",result="BAD_SIGNATURE"\} [1-9]/);
    expect(metrics).toMatch(/siq_verdicts_total\{validator="v9",result="UNKNOWN_VALIDATOR"\} [1-9]/);
  });

  it("ignores a correctly signed verdict bound to another payment digest", async () => {
    const t = topology(net.namespace);
    const v3 = net.keys.get("v3")!.signer;
    const paid = await payWithInjected((task) => [
      {
        subject: t.subjects.verdict("v3"),
        verdict: signVerdict(v3, { ...lowVerdict(task, "v3"), payment_digest: "f".repeat(64) }),
      },
    ]);
    expect(paid.reasons[0].code).toBe("QUORUM_TIMEOUT");
  });

  it("control: a verdict signed with v3's real key completes the quorum", async () => {
    const t = topology(net.namespace);
    const v3 = net.keys.get("v3")!.signer;
    const paid = await payWithInjected((task) => [
      { subject: t.subjects.verdict("v3"), verdict: signVerdict(v3, lowVerdict(task, "v3")) },
    ]);
    expect(paid).toMatchObject({ decision: "approve", risk_level: "LOW" });
  });
});
