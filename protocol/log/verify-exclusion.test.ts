/**
 * `log verify` rebuilds validator exclusions from the log: a decision must
 * record the excluded set of its epoch and must not count an excluded
 * validator; exclusions need evidence that holds; reinstatements need an
 * excluded validator. Each forgery is named by its code.
 */
import { decisionOf } from "./decision.fixture.ts";
import { describe, expect, it } from "vitest";
import { canonicalBytes } from "../canonical.ts";
import { Signer } from "../crypto.ts";
import type { QuorumDecision, QuorumPolicy } from "../schemas/decision.ts";
import { policyFor, ValidatorSet } from "../schemas/network.ts";
import type { ValidatorStatusRecord } from "../schemas/validators.ts";
import type { SignedVerdict, Verdict } from "../schemas/verdict.ts";
import { TypeTags } from "../tags.ts";
import { signVerdict } from "../verdicts.ts";
import { EntryChecker } from "./verify-entries.ts";

const ids = ["v1", "v2", "v3", "v4", "v5"];
const signers = new Map(ids.map((id) => [id, Signer.generate().signer]));
const set = ValidatorSet.parse({
  validators: ids.map((id) => ({ id, public_key: Buffer.from(signers.get(id)!.publicKey).toString("hex") })),
});
const base = policyFor(set, "challenge");
const digest = "d".repeat(64);

const verdict = (id: string, paymentId: string, level: "LOW" | "HIGH" = "LOW"): SignedVerdict => {
  const v: Verdict = {
    type: TypeTags.verdict,
    payment_id: paymentId,
    attempt: 1,
    payment_digest: digest,
    validator_id: id,
    risk_level: level,
    score: level === "LOW" ? 0 : 80,
    reasons: [],
    rule_pack: "b".repeat(64),
    evaluated_at: "2026-01-01T00:00:00.000Z",
  };
  return signVerdict(signers.get(id)!, v);
};

function decision(paymentId: string, policy: QuorumPolicy, voters: string[], extra: Partial<QuorumDecision> = {}) {
  const verdicts = voters.map((id) => verdict(id, paymentId));
  const d = decisionOf(policy, verdicts, { payment_id: paymentId, payment_digest: digest }, extra);
  return canonicalBytes(d);
}

const exclude = (id: string, epoch: number, excluded: string[], evidence?: [SignedVerdict, SignedVerdict]) =>
  canonicalBytes({
    type: TypeTags.validator_status,
    action: "exclude",
    validator_id: id,
    epoch,
    excluded,
    evidence: {
      payment_id: "pay_0",
      attempt: 1,
      verdicts: evidence ?? [verdict(id, "pay_0"), verdict(id, "pay_0", "HIGH")],
    },
    at: "2026-01-01T00:00:02.000Z",
  } satisfies ValidatorStatusRecord);

const reinstate = (id: string, epoch: number, excluded: string[]) =>
  canonicalBytes({
    type: TypeTags.validator_status,
    action: "reinstate",
    validator_id: id,
    epoch,
    excluded,
    by: "operator-1",
    at: "2026-01-01T00:00:03.000Z",
  } satisfies ValidatorStatusRecord);

const without5 = { ...base, excluded: ["v5"], exclusion_epoch: 1 };
const codeOf = (c: EntryChecker, bytes: Uint8Array) => {
  const r = c.check(bytes);
  return r.ok ? "ok" : r.code;
};

describe("exclusions in log verify", () => {
  it("accepts an exclusion on evidence, decisions under it, and a reinstatement", () => {
    const c = new EntryChecker(set);
    expect(codeOf(c, decision("pay_1", base, ids))).toBe("ok");
    expect(codeOf(c, exclude("v5", 1, ["v5"]))).toBe("ok");
    // A decision taken while the exclusion was being logged (one epoch behind) still verifies.
    expect(codeOf(c, decision("pay_2", base, ids.slice(0, 4)))).toBe("ok");
    expect(codeOf(c, decision("pay_3", without5, ids.slice(0, 4)))).toBe("ok");
    expect(codeOf(c, reinstate("v5", 2, []))).toBe("ok");
    expect(codeOf(c, decision("pay_4", { ...base, excluded: [], exclusion_epoch: 2 }, ids))).toBe("ok");
  });

  it("EXCLUDED_COUNTED: an excluded validator's verdict among the counted ones", () => {
    const c = new EntryChecker(set);
    c.check(exclude("v5", 1, ["v5"]));
    expect(codeOf(c, decision("pay_1", without5, ids))).toBe("EXCLUDED_COUNTED");
  });

  it("EXCLUSION_MISMATCH: a decision hiding the exclusion, lagging too far, or naming a future epoch", () => {
    const c = new EntryChecker(set);
    expect(codeOf(c, decision("pay_0", without5, ids.slice(0, 4)))).toBe("EXCLUSION_MISMATCH");
    c.check(exclude("v5", 1, ["v5"]));
    expect(codeOf(c, decision("pay_1", { ...base, excluded: [], exclusion_epoch: 1 }, ids))).toBe("EXCLUSION_MISMATCH");
    c.check(exclude("v4", 2, ["v4", "v5"]));
    // Epoch 0 is two behind: the excluded v5 cannot be smuggled back in under an old epoch.
    expect(codeOf(c, decision("pay_2", base, ids))).toBe("EXCLUSION_MISMATCH");
    expect(codeOf(c, exclude("v3", 4, ["v3", "v4", "v5"]))).toBe("EXCLUSION_MISMATCH");
    expect(codeOf(c, exclude("v3", 3, ["v3"]))).toBe("EXCLUSION_MISMATCH");
  });

  it("BAD_VERDICT: an exclusion without evidence that holds (someone else's signature, or no contradiction)", () => {
    const c = new EntryChecker(set);
    const forged: [SignedVerdict, SignedVerdict] = [verdict("v5", "pay_0"), { ...verdict("v4", "pay_0", "HIGH") }];
    forged[1] = { ...forged[1], verdict: { ...forged[1].verdict, validator_id: "v5" } };
    expect(codeOf(c, exclude("v5", 1, ["v5"], forged))).toBe("BAD_VERDICT");
    const same = verdict("v5", "pay_0");
    expect(codeOf(c, exclude("v5", 1, ["v5"], [same, same]))).toBe("BAD_VERDICT");
  });

  it("BAD_REINSTATEMENT: reinstating a validator the log never excluded", () => {
    const c = new EntryChecker(set);
    expect(codeOf(c, reinstate("v2", 1, []))).toBe("BAD_REINSTATEMENT");
  });

  it("an unsafe decision (too few left) verifies as rejected, and only as rejected", () => {
    const c = new EntryChecker(set);
    c.check(exclude("v5", 1, ["v5"]));
    c.check(exclude("v4", 2, ["v4", "v5"]));
    const unsafe = { ...base, excluded: ["v4", "v5"], exclusion_epoch: 2 };
    expect(codeOf(c, decision("pay_1", unsafe, ["v1", "v2", "v3"]))).toBe("ok");
    expect(codeOf(c, decision("pay_2", unsafe, ["v1", "v2", "v3"], { decision: "approve" }))).toBe("DECISION_MISMATCH");
  });
});
