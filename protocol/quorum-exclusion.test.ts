/** Excluded validators do not count; too few left fails closed; weights move only the reported level. */
import { describe, expect, it } from "vitest";
import { decideQuorum, quorumSafe } from "./quorum.ts";
import { policyFor, ValidatorSet } from "./schemas/network.ts";
import type { RiskLevel } from "./schemas/fields.ts";
import type { SignedVerdict } from "./schemas/verdict.ts";

const ids = ["v1", "v2", "v3", "v4", "v5"];
const set = ValidatorSet.parse({ validators: ids.map((id, i) => ({ id, public_key: String(i).repeat(64) })) });
const base = policyFor(set, "challenge");

const v = (id: string, level: RiskLevel, score = level === "LOW" ? 0 : 60): SignedVerdict => ({
  verdict: {
    type: "sentineliq.verdict.v1",
    payment_id: "pay_1",
    attempt: 1,
    payment_digest: "a".repeat(64),
    validator_id: id,
    risk_level: level,
    score,
    reasons: level === "LOW" ? [] : [{ code: "AMOUNT_ANOMALY", message: "x" }],
    rule_pack: "b".repeat(64),
    evaluated_at: "2026-01-01T00:00:00.000Z",
  },
  signature: "A".repeat(86) + "==",
});

describe("exclusion (n = 5, f = 1)", () => {
  const excluded = { ...base, excluded: ["v5"], exclusion_epoch: 1 };

  it("an excluded validator's verdict does not count, and it is not waited for", () => {
    // Counted, v5's LOW makes the fourth approval; excluded, it does not, and the payment fails closed.
    const votes = [v("v1", "LOW"), v("v2", "LOW"), v("v3", "LOW"), v("v4", "HIGH"), v("v5", "LOW")];
    expect(decideQuorum(base, votes, true)).toMatchObject({ decision: "approve" });
    expect(decideQuorum(excluded, votes, true)).toMatchObject({ outcome: "no_agreement", decision: "challenge" });
    // The four trusted validators agreeing is decided at once, without waiting for v5.
    const four = [v("v1", "LOW"), v("v2", "LOW"), v("v3", "LOW"), v("v4", "LOW")];
    const r = decideQuorum(excluded, [...four, v("v5", "HIGH")], false);
    expect(r).toMatchObject({ outcome: "agreed", decision: "approve" });
    expect(r!.counted.map((x) => x.verdict.validator_id)).not.toContain("v5");
    expect(r!.dissent).not.toContain("v5");
    expect(decideQuorum(excluded, four, false)).toMatchObject({ decision: "approve" });
  });

  it("a timeout counts only the validators still trusted", () => {
    const r = decideQuorum(excluded, [v("v1", "LOW"), v("v2", "LOW")], true);
    expect(r).toMatchObject({ outcome: "timeout", decision: "challenge" });
    expect(r!.reasons[0]!.message).toContain("of 4 validators");
  });

  it("with n − excluded < 3f + 1 the network fails closed: rejected, whatever the verdicts", () => {
    const two = { ...base, excluded: ["v4", "v5"], exclusion_epoch: 2 };
    expect(quorumSafe(excluded)).toBe(true);
    expect(quorumSafe(two)).toBe(false);
    const r = decideQuorum(two, [v("v1", "LOW"), v("v2", "LOW"), v("v3", "LOW")], false);
    expect(r).toMatchObject({ outcome: "unsafe", decision: "reject" });
    expect(r!.reasons[0]!.code).toBe("VALIDATORS_EXCLUDED");
    expect(decideQuorum(two, [], false)).toMatchObject({ outcome: "unsafe" });
  });

  it("n = 4, f = 1 cannot lose a validator: one exclusion fails closed", () => {
    const four = policyFor(ValidatorSet.parse({ validators: set.validators.slice(0, 4) }), "challenge");
    expect(quorumSafe({ ...four, excluded: ["v4"] })).toBe(false);
  });
});

describe("reputation weights (README: they move only the reported level)", () => {
  it("a heavy weight cannot flip a decision: thresholds count verdicts", () => {
    const heavy = { ...base, weights: { v1: 1, v2: 1, v3: 1, v4: 1.5, v5: 1.5 } };
    const votes = [v("v1", "LOW"), v("v2", "LOW"), v("v3", "LOW"), v("v4", "LOW"), v("v5", "HIGH", 90)];
    expect(decideQuorum(base, votes, true)?.decision).toBe(decideQuorum(heavy, votes, true)?.decision);
  });

  it("weights move the reported level (the weighted median)", () => {
    const votes = [v("v1", "MEDIUM"), v("v2", "MEDIUM"), v("v3", "HIGH"), v("v4", "HIGH"), v("v5", "LOW")];
    const light = { ...base, weights: { v1: 1.5, v2: 1.5, v3: 0.5, v4: 0.5, v5: 1 } };
    const heavy = { ...base, weights: { v1: 0.5, v2: 0.5, v3: 1.5, v4: 1.5, v5: 1 } };
    expect(decideQuorum(light, votes, true)).toMatchObject({ decision: "challenge", risk_level: "MEDIUM" });
    expect(decideQuorum(heavy, votes, true)).toMatchObject({ decision: "challenge", risk_level: "HIGH" });
  });
});
