/**
 * Tiers: easy payments go to a three-validator committee that must approve
 * unanimously; when it cannot, the whole set is asked, the committee's
 * verdicts kept; hard ones go to the whole set from the start.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QuorumDecision } from "../protocol/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

describe("tiers", () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({
      store: "pglite",
      committees: { v1: ["fast"], v2: ["fast"], v3: ["fast"] },
      tiers: { easy: "fast" },
    });
  });
  afterAll(async () => {
    await net?.stop();
  });

  const entry = async (paymentId: string) => {
    const [row] = await net.db.query<{ entry: Buffer }>(
      "SELECT entry FROM siq_log_entries WHERE payment_id = $1 ORDER BY idx LIMIT 1",
      [paymentId],
    );
    return JSON.parse(row!.entry.toString("utf8")) as QuorumDecision;
  };

  it("lets the committee alone approve a clean, small payment", async () => {
    const res = await net.post(net.payment());
    expect(res.body).toMatchObject({ decision: "approve", risk_level: "LOW" });
    const e = await entry(res.body.payment_id);
    expect(e.policy).toMatchObject({ tier: "easy", members: ["v1", "v2", "v3"] });
    expect(e.verdicts.map((v) => v.verdict.validator_id)).toEqual(["v1", "v2", "v3"]);
  });

  it("sends an easy payment the committee will not approve to the whole set", async () => {
    const res = await net.post(net.payment({ func_stack_hashes: ["ef".repeat(32)] }));
    expect(res.body).toMatchObject({ decision: "challenge", risk_level: "MEDIUM" });
    const e = await entry(res.body.payment_id);
    expect(e.policy.members).toEqual(["v1", "v2", "v3", "v4"]);
    expect(e.verdicts.map((v) => v.verdict.validator_id)).toEqual(["v1", "v2", "v3", "v4"]);
    const metrics = await (await fetch(`${net.url}/metrics`)).text();
    expect(metrics).toMatch(/siq_committee_escalations_total [1-9]/);
  });

  it("gives hard payments to the whole set from the start", async () => {
    const res = await net.post(net.payment({ amount: "20000.00" }));
    const e = await entry(res.body.payment_id);
    expect(e.policy).toMatchObject({ tier: "hard", members: ["v1", "v2", "v3", "v4"] });
  });
});
