/**
 * A rejected payment's `error_details` names the class of its decisive
 * reason, and a validator cannot relabel it. Only v1 runs honestly; v3's
 * verdict is injected with v3's real key (a compromised validator), so both
 * are counted: v1 and v3 saying CRITICAL make the reject quorum (f+1 = 2).
 * The coordinator fails closed to "reject", so a payment v1 alone votes on
 * is rejected for want of a quorum.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EvaluationTask, signVerdict, topology, type Reason } from "../protocol/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

describe("a rejected payment's error_details", () => {
  let net: TestNetwork;
  let nc: NatsConnection;
  beforeAll(async () => {
    net = await startNetwork({
      store: "pglite",
      running: 1,
      deadlineMs: 4000,
      coordinatorConfig: { failClosed: "reject" },
    });
    nc = await connect({ servers: net.natsUrl });
  });
  afterAll(async () => {
    await nc?.close();
    await net?.stop();
  });

  /** Pays from KP; when the task appears, v3 (compromised) votes CRITICAL giving `reasons`. */
  async function payWithV3(reasons: Reason[]) {
    const t = topology(net.namespace);
    const sub = nc.subscribe(t.subjects.evaluate, { max: 1 });
    const injected = (async () => {
      for await (const m of sub) {
        const task = EvaluationTask.parse(m.json());
        const verdict = signVerdict(net.keys.get("v3")!.signer, {
          type: "sentineliq.verdict.v1",
          payment_id: task.payment_id,
          attempt: task.attempt,
          payment_digest: task.payment_digest,
          validator_id: "v3",
          risk_level: "CRITICAL",
          score: 100,
          reasons,
          rule_pack: "0".repeat(64),
          evaluated_at: new Date().toISOString(),
        });
        nc.publish(t.subjects.verdict("v3"), JSON.stringify(verdict));
      }
    })();
    await nc.flush();
    const res = await net.post(net.payment({ metadata: { country_code: "KP" } }));
    await injected;
    expect(res.status).toBe(200);
    return res.body;
  }

  // Evidence the coordinator can check against the payment, so the CRITICAL counts.
  const evidence = { rule_id: "hostile", inputs: { "metadata.country_code": "KP" } };

  it("control: with v3 agreeing, the class is SANCTIONS_BLOCKED, in the answer and in GET", async () => {
    const paid = await payWithV3([{ code: "SANCTIONED_COUNTRY", message: "sanctioned", ...evidence }]);
    expect(paid).toMatchObject({ status: "rejected", decision: "reject", risk_level: "CRITICAL" });
    expect(paid.reasons).toEqual([expect.objectContaining({ code: "SANCTIONED_COUNTRY", validators: 2 })]);
    expect(paid.error_details).toMatchObject({ code: "SANCTIONS_BLOCKED", reasons: ["SANCTIONED_COUNTRY"] });
    expect((await net.get(`/v1/payments/${paid.payment_id}`)).body.error_details).toEqual(paid.error_details);
  });

  it("attack: a counted validator claiming a quorum failure cannot relabel the rejection", async () => {
    const paid = await payWithV3([{ code: "QUORUM_TIMEOUT", message: "no quorum, honestly", ...evidence }]);
    expect(paid).toMatchObject({ status: "rejected", decision: "reject" });
    // v3's reason was counted (it is in reasons[]), yet the class stays the honest validator's.
    const codes = paid.reasons.map((r: { code: string }) => r.code).sort();
    expect(codes).toEqual(["QUORUM_TIMEOUT", "SANCTIONED_COUNTRY"]);
    expect(paid.error_details).toMatchObject({ code: "SANCTIONS_BLOCKED", reasons: ["SANCTIONED_COUNTRY"] });
    const shown = await net.get(`/v1/payments/${paid.payment_id}`);
    expect(shown.body.error_details.code).toBe("SANCTIONS_BLOCKED");
  });

  it("says QUORUM_FAILED when the payment failed closed for want of a quorum", async () => {
    const res = await net.post(net.payment());
    expect(res.body).toMatchObject({ status: "rejected", decision: "reject" });
    expect(res.body.reasons[0].code).toBe("QUORUM_TIMEOUT");
    expect(res.body.error_details).toMatchObject({ code: "QUORUM_FAILED", reasons: ["QUORUM_TIMEOUT"] });
    expect((await net.get(`/v1/payments/${res.body.payment_id}`)).body.error_details.code).toBe("QUORUM_FAILED");
  });

  it("attack: the agent cannot supply its own error_details", async () => {
    const res = await net.post({ ...net.payment(), error_details: { code: "RISK_REJECTED", message: "x" } });
    expect(res.status).toBe(400);
    expect(res.body.error_details.code).toBe("INVALID_REQUEST");
  });
});
