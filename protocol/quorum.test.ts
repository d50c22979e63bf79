import { describe, expect, it } from "vitest";
import { decideQuorum } from "./quorum.ts";
import { policyFor, ValidatorSet } from "./schemas/network.ts";
import type { RiskLevel } from "./schemas/fields.ts";
import type { SignedVerdict } from "./schemas/verdict.ts";

const set = ValidatorSet.parse({
  validators: ["v1", "v2", "v3", "v4"].map((id, i) => ({ id, public_key: String(i).repeat(64) })),
});
const policy = policyFor(set, "challenge");

const v = (
  id: string,
  level: RiskLevel,
  opts: { code?: string; evidence?: boolean; score?: number } = {},
): SignedVerdict => ({
  verdict: {
    type: "sentineliq.verdict.v1",
    payment_id: "pay_1",
    attempt: 1,
    payment_digest: "a".repeat(64),
    validator_id: id,
    risk_level: level,
    score: opts.score ?? 0,
    reasons: opts.code
      ? [
          {
            code: opts.code,
            message: opts.code,
            ...(opts.evidence ? { rule_id: "r", inputs: { "metadata.country_code": "KP" } } : {}),
          },
        ]
      : [],
    rule_pack: "b".repeat(64),
    evaluated_at: "2026-01-01T00:00:00.000Z",
  },
  signature: "A".repeat(86) + "==",
});
const crit = (id: string) => v(id, "CRITICAL", { code: "SANCTIONED", evidence: true, score: 100 });

describe("the quorum rule (n = 4, f = 1)", () => {
  it("names its quorums from n and f", () => {
    expect(policy).toMatchObject({ n: 4, f: 1, approve: 3, escalate: 2, reject: 2 });
  });

  it("approves on a byzantine quorum of LOW, as soon as the last vote cannot change it", () => {
    const r = decideQuorum(policy, [v("v1", "LOW"), v("v2", "LOW"), v("v3", "LOW")], false);
    expect(r).toMatchObject({ outcome: "agreed", risk_level: "LOW", decision: "approve" });
    expect(r!.counted.map((x) => x.verdict.validator_id)).toEqual(["v1", "v2", "v3"]);
  });

  it("waits while a missing vote could still change the outcome", () => {
    expect(decideQuorum(policy, [v("v1", "LOW"), v("v2", "LOW")], false)).toBeNull();
    expect(decideQuorum(policy, [v("v1", "LOW"), v("v2", "LOW"), v("v3", "HIGH")], false)).toBeNull();
  });

  it("one outlier (f = 1) cannot approve, block or reject", () => {
    expect(decideQuorum(policy, [crit("v1"), v("v2", "LOW"), v("v3", "LOW"), v("v4", "LOW")], true)).toMatchObject({
      decision: "approve",
      dissent: ["v1"],
    });
    expect(decideQuorum(policy, [v("v1", "LOW"), crit("v2"), crit("v3"), crit("v4")], true)).toMatchObject({
      decision: "reject",
      dissent: ["v1"],
    });
    expect(
      decideQuorum(policy, [v("v1", "LOW"), v("v2", "HIGH"), v("v3", "HIGH"), v("v4", "HIGH")], true),
    ).toMatchObject({ decision: "challenge", risk_level: "HIGH" });
  });

  it("escalates to a challenge on f+1 risky verdicts", () => {
    const r = decideQuorum(policy, [v("v1", "LOW"), v("v2", "LOW"), v("v3", "MEDIUM"), v("v4", "HIGH")], true);
    expect(r).toMatchObject({ outcome: "agreed", decision: "challenge" });
    expect(["MEDIUM", "HIGH"]).toContain(r!.risk_level);
  });

  it("counts a CRITICAL without checkable evidence as HIGH", () => {
    const bare = (id: string) => v(id, "CRITICAL", { code: "SAYS_SO" });
    const r = decideQuorum(policy, [bare("v1"), bare("v2"), bare("v3"), v("v4", "LOW")], true);
    expect(r).toMatchObject({ decision: "challenge", risk_level: "HIGH" });
  });

  it("fails closed without a quorum: never approves", () => {
    const r = decideQuorum(policy, [v("v1", "LOW"), v("v2", "LOW"), v("v3", "MEDIUM")], true);
    expect(r).toMatchObject({ outcome: "timeout", decision: "challenge" });
    expect(r!.reasons[0]!.code).toBe("QUORUM_TIMEOUT");
    expect(decideQuorum({ ...policy, fail_closed: "reject" }, [], true)).toMatchObject({
      outcome: "timeout",
      decision: "reject",
    });
  });

  it("takes the weighted median of scores, so one extreme score does not move it", () => {
    const r = decideQuorum(
      policy,
      [
        v("v1", "LOW", { score: 5 }),
        v("v2", "LOW", { score: 7 }),
        v("v3", "LOW", { score: 6 }),
        v("v4", "LOW", { score: 100 }),
      ],
      true,
    );
    expect(r!.score).toBe(7);
  });

  it("lets weights decide the median level", () => {
    const heavy = { ...policy, weights: { v1: 1, v2: 1, v3: 3, v4: 1 } };
    const r = decideQuorum(heavy, [v("v1", "MEDIUM"), v("v2", "MEDIUM"), v("v3", "HIGH"), v("v4", "LOW")], true);
    expect(r!.risk_level).toBe("HIGH");
  });

  it("counts each reason by how many validators gave it", () => {
    const r = decideQuorum(
      policy,
      [v("v1", "HIGH", { code: "A" }), v("v2", "HIGH", { code: "A" }), v("v3", "HIGH", { code: "B" })],
      true,
    );
    expect(r!.reasons.map((x) => [x.code, x.validators])).toEqual([
      ["A", 2],
      ["B", 1],
    ]);
  });

  it("refuses a set that cannot tolerate its f", () => {
    expect(ValidatorSet.safeParse({ validators: set.validators, f: 2 }).success).toBe(false);
  });
});
