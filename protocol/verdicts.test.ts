import { describe, expect, it } from "vitest";
import { Signer, Verifier } from "./crypto.ts";
import type { Verdict } from "./schemas/verdict.ts";
import { signVerdict, signVerdicts, verifyVerdict } from "./verdicts.ts";

const verdict = (i: number, validator = "v1"): Verdict => ({
  type: "sentineliq.verdict.v1",
  payment_id: `pay_${i}`,
  attempt: 1,
  payment_digest: i.toString(16).padStart(64, "0"),
  validator_id: validator,
  risk_level: "LOW",
  score: 0,
  reasons: [],
  rule_pack: "b".repeat(64),
  evaluated_at: "2026-01-01T00:00:00.000Z",
});

describe("verdict signatures", () => {
  const { signer } = Signer.generate();
  const v = new Verifier(signer.publicKey);

  it("verifies a single verdict and refuses an altered one", () => {
    const s = signVerdict(signer, verdict(1));
    expect(verifyVerdict(v, s)).toBe(true);
    expect(verifyVerdict(v, { ...s, verdict: { ...s.verdict, risk_level: "HIGH" } })).toBe(false);
  });

  it("verifies each verdict of a batch on its own, with one signature for all", () => {
    const batch = signVerdicts(
      signer,
      [1, 2, 3, 4, 5].map((i) => verdict(i)),
    );
    expect(new Set(batch.map((b) => b.signature)).size).toBe(1);
    for (const s of batch) expect(verifyVerdict(v, s)).toBe(true);
  });

  it("refuses a batched verdict that was altered, moved, or claimed by another validator", () => {
    const [a, b] = signVerdicts(signer, [verdict(1), verdict(2), verdict(3)]);
    expect(verifyVerdict(v, { ...a!, verdict: { ...a!.verdict, risk_level: "CRITICAL" } })).toBe(false);
    expect(verifyVerdict(v, { ...a!, batch: { ...a!.batch!, index: 1 } })).toBe(false);
    expect(verifyVerdict(v, { ...b!, verdict: { ...b!.verdict, validator_id: "v2" } })).toBe(false);
    const other = new Verifier(Signer.generate().signer.publicKey);
    expect(verifyVerdict(other, a!)).toBe(false);
  });
});
