import { describe, expect, it } from "vitest";
import { Signer, signVerdict, Verifier, verifyVerdict, type EvaluationTask } from "../protocol/index.ts";
import { compilePack, loadPack, loadPackFiles } from "../rules/index.ts";
import { PackSchedule } from "./packs.ts";
import { scorePayment } from "./scorer.ts";
import { ValidatorState } from "./state/state.ts";

const task = (o: Partial<EvaluationTask["payment"]> = {}): EvaluationTask => ({
  type: "sentineliq.task.v1",
  payment_id: "pay_1",
  attempt: 1,
  tenant_id: "t",
  payment_digest: "a".repeat(64),
  submitted_at: "2025-01-01T10:00:00.000Z",
  deadline_at: "2025-01-01T10:00:03.000Z",
  payment: {
    idempotency_key: "k",
    agent_id: "agent-1",
    sender: "11111111111111111111111111111111",
    receiver: "SysvarC1ock11111111111111111111111111111111",
    amount: "12.50",
    currency: "USDC",
    debug_mode: true,
    trace_context: { purpose: "pay invoice 1" },
    func_stack_hashes: ["e57eb157d61a56f8d32a82fa47d04e96e531734430c80f6cb6b38d49137429f0"],
    ...o,
  },
});

describe("scoring a payment", () => {
  it("carries the pack hash and the challenge kinds the rules want", () => {
    const pack = loadPack();
    const v = scorePayment(
      { state: new ValidatorState(), packs: new PackSchedule(pack) },
      task({ trace_context: {} }),
      "v1",
      new Date(),
    );
    expect(v).toMatchObject({ rule_pack: pack.hash, risk_level: "MEDIUM", challenge_kinds: ["proof_of_purpose"] });
    expect(v.shadow).toBeUndefined();
  });

  it("in shadow mode, a candidate pack's opinion is signed with the verdict but the level is the live pack's", () => {
    const live = loadPack();
    const strict = compilePack(
      loadPackFiles([
        {
          path: "s.yaml",
          text: "pack: strict\nrules:\n  - id: all_high\n    when: { field: amount, gt: 0 }\n    then: { min_level: HIGH }\n    reason: { code: STRICT, message: everything is HIGH }\n",
        },
      ]),
    );
    const v = scorePayment(
      { state: new ValidatorState(), packs: new PackSchedule(live), shadow: new PackSchedule(strict) },
      task(),
      "v1",
      new Date(),
    );
    expect(v.risk_level).toBe("LOW");
    expect(v.shadow).toMatchObject({ rule_pack: strict.hash, risk_level: "HIGH", reasons: [{ code: "STRICT" }] });
    const { signer } = Signer.generate();
    const signed = signVerdict(signer, v);
    expect(verifyVerdict(new Verifier(signer.publicKey), signed)).toBe(true);
    expect(
      verifyVerdict(new Verifier(signer.publicKey), {
        ...signed,
        verdict: { ...v, shadow: { ...v.shadow!, risk_level: "LOW" } },
      }),
    ).toBe(false);
  });
});
