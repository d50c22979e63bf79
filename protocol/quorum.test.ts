import { describe, expect, it } from "vitest";
import { decideQuorum } from "./quorum.ts";
import type { QuorumPolicy } from "./schemas/decision.ts";
import type { RiskLevel } from "./schemas/fields.ts";
import type { SignedVerdict } from "./schemas/verdict.ts";

const policy: QuorumPolicy = { name: "3-of-4", n: 4, k: 3, fail_closed: "challenge" };

const v = (id: string, level: RiskLevel, code?: string): SignedVerdict => ({
  verdict: {
    type: "sentineliq.verdict.v1",
    payment_id: "pay_1",
    attempt: 1,
    payment_digest: "a".repeat(64),
    validator_id: id,
    risk_level: level,
    score: 0,
    reasons: code ? [{ code, message: code }] : [],
    rule_pack: "b".repeat(64),
    evaluated_at: "2026-01-01T00:00:00.000Z",
  },
  signature: "A".repeat(86) + "==",
});

describe("the quorum rule", () => {
  it("decides as soon as k verdicts agree", () => {
    const r = decideQuorum(policy, [v("v1", "LOW"), v("v2", "LOW"), v("v3", "LOW")], false);
    expect(r).toMatchObject({ outcome: "agreed", risk_level: "LOW", decision: "approve" });
    expect(r!.counted.map((x) => x.verdict.validator_id)).toEqual(["v1", "v2", "v3"]);
  });

  it("waits while no level has k votes and more may come", () => {
    expect(decideQuorum(policy, [v("v1", "LOW"), v("v2", "LOW"), v("v3", "HIGH")], false)).toBeNull();
  });

  it("one outlier cannot move an agreed decision", () => {
    const r = decideQuorum(policy, [v("v1", "CRITICAL"), v("v2", "LOW"), v("v3", "LOW"), v("v4", "LOW")], true);
    expect(r).toMatchObject({ outcome: "agreed", risk_level: "LOW" });
  });

  it("fails closed without agreement: never approves", () => {
    const r = decideQuorum(policy, [v("v1", "LOW"), v("v2", "LOW"), v("v3", "MEDIUM"), v("v4", "HIGH")], true);
    expect(r).toMatchObject({ outcome: "no_agreement", decision: "challenge" });
    expect(r!.reasons[0]!.code).toBe("QUORUM_NOT_REACHED");
  });

  it("times out to the fail-closed decision, rejecting when the median is CRITICAL", () => {
    expect(decideQuorum(policy, [], true)).toMatchObject({ outcome: "timeout", decision: "challenge" });
    const r = decideQuorum({ ...policy, fail_closed: "reject" }, [v("v1", "LOW")], true);
    expect(r).toMatchObject({ outcome: "timeout", decision: "reject" });
    const crit = decideQuorum(policy, [v("v1", "CRITICAL"), v("v2", "CRITICAL")], true);
    expect(crit).toMatchObject({ outcome: "timeout", risk_level: "CRITICAL", decision: "reject" });
  });

  it("counts each reason by how many validators gave it", () => {
    const r = decideQuorum(policy, [v("v1", "HIGH", "A"), v("v2", "HIGH", "A"), v("v3", "HIGH", "B")], false);
    expect(r!.reasons).toEqual([
      { code: "A", message: "A", validators: 2 },
      { code: "B", message: "B", validators: 1 },
    ]);
  });
});
