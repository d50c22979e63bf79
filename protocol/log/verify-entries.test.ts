/**
 * The entry checker on entries made here: a decision whose verdicts were
 * batch-signed under the current tag and under the legacy one (an old log
 * entry still verifies), legacy challenge records, and the forgeries each
 * check exists for.
 */
import { decisionOf } from "./decision.fixture.ts";
import { describe, expect, it } from "vitest";
import { canonicalBytes } from "../canonical.ts";
import { Signer } from "../crypto.ts";
import type { QuorumDecision } from "../schemas/decision.ts";
import { policyFor, ValidatorSet } from "../schemas/network.ts";
import type { SignedVerdict, Verdict } from "../schemas/verdict.ts";
import { LegacyTags, TypeTags } from "../tags.ts";
import { batchHeadBytes, signVerdicts } from "../verdicts.ts";
import { leafHash, treeWithPaths } from "./merkle.ts";
import { verdictBytes } from "../schemas/verdict.ts";
import { EntryChecker } from "./verify-entries.ts";

const ids = ["v1", "v2", "v3", "v4"];
const signers = new Map(ids.map((id) => [id, Signer.generate().signer]));
const set = ValidatorSet.parse({
  validators: ids.map((id) => ({ id, public_key: Buffer.from(signers.get(id)!.publicKey).toString("hex") })),
});
const policy = policyFor(set, "challenge");
const digest = "d".repeat(64);

const verdict = (id: string, paymentId = "pay_1"): Verdict => ({
  type: TypeTags.verdict,
  payment_id: paymentId,
  attempt: 1,
  payment_digest: digest,
  validator_id: id,
  risk_level: "LOW",
  score: 0,
  reasons: [],
  rule_pack: "b".repeat(64),
  evaluated_at: "2026-01-01T00:00:00.000Z",
});

/** A batch of two verdicts signed the way validators did before v2: under the legacy batch tag. */
function signedUnderLegacyTag(id: string): SignedVerdict[] {
  const vs = [verdict(id), verdict(id, "pay_other")];
  const { root, paths } = treeWithPaths(vs.map((v) => leafHash(verdictBytes(v))));
  const head = batchHeadBytes(id, vs.length, root, LegacyTags.verdict_batch);
  const signature = signers.get(id)!.sign(head).toString("base64");
  return vs.map((v, index) => ({
    verdict: v,
    signature,
    batch: { size: vs.length, index, path: paths[index]!.map((h) => h.toString("hex")) },
  }));
}

function decision(verdicts: SignedVerdict[], extra: Partial<QuorumDecision> = {}): Uint8Array {
  const d = decisionOf(policy, verdicts, { payment_id: "pay_1", payment_digest: digest }, extra);
  return canonicalBytes(d);
}

const current = ids.slice(0, 3).map((id) => signVerdicts(signers.get(id)!, [verdict(id), verdict(id, "pay_2")])[0]!);

describe("the entry checker", () => {
  it("re-checks a decision whose verdicts were batch-signed under the current tag", () => {
    expect(new EntryChecker(set).check(decision(current))).toEqual({
      ok: true,
      type: TypeTags.decision,
      checked: true,
      payment_id: "pay_1",
    });
  });

  it("still verifies an old entry, batch-signed under the legacy tag (sentineliq.verdict-batch.v1)", () => {
    const old = ids.slice(0, 3).map((id) => signedUnderLegacyTag(id)[0]!);
    expect(new EntryChecker(set).check(decision(old))).toMatchObject({ ok: true, checked: true });
  });

  it("refuses a batch signature over any other tag, and a decision its verdicts do not lead to", () => {
    const [a, ...rest] = current;
    const head = batchHeadBytes("v1", 2, Buffer.alloc(32), TypeTags.verdict_batch);
    const forged = { ...a!, signature: signers.get("v1")!.sign(head).toString("base64") };
    expect(new EntryChecker(set).check(decision([forged, ...rest]))).toMatchObject({ ok: false, code: "BAD_VERDICT" });
    const lie = decision(current, { decision: "reject", risk_level: "CRITICAL" });
    expect(new EntryChecker(set).check(lie)).toMatchObject({ ok: false, code: "DECISION_MISMATCH" });
  });

  it("logs refused verdicts only under a catalogued code", () => {
    const ok = decision(current, { rejected: [{ validator_id: "v4", code: "BAD_SIGNATURE" }] });
    expect(new EntryChecker(set).check(ok)).toMatchObject({ ok: true });
    const bad = decision(current, { rejected: [{ validator_id: "v4", code: "MADE_UP" as "STALE" }] });
    expect(new EntryChecker(set).check(bad)).toMatchObject({ ok: false, code: "BAD_ENTRY" });
  });

  it("accepts challenge records under the current and the legacy tags, and nothing else of that family", () => {
    const checker = new EntryChecker(set);
    const response = {
      payment_id: "pay_1",
      challenge_id: "ch_1",
      attempt: 2,
      evidence_digest: digest,
      received_at: "2026-01-01T00:00:02.000Z",
    };
    const expired = { payment_id: "pay_1", challenge_id: "ch_1", expired_at: "2026-01-01T00:00:03.000Z" };
    for (const entry of [
      { type: TypeTags.challenge_response, ...response },
      { type: LegacyTags.challenge_response, ...response },
      { type: TypeTags.challenge_expired, ...expired },
      { type: LegacyTags.challenge_expired, ...expired },
    ])
      expect(checker.check(canonicalBytes(entry)), entry.type).toMatchObject({ ok: true, payment_id: "pay_1" });
    const unknown = { type: "sentineliq.challenge_responses.v9", ...response };
    expect(checker.check(canonicalBytes(unknown))).toMatchObject({ ok: false, code: "BAD_ENTRY" });
  });

  it("holds equivocation evidence to two different verdicts signed by the accused", () => {
    const [a] = signVerdicts(signers.get("v4")!, [verdict("v4")]);
    const [b] = signVerdicts(signers.get("v4")!, [{ ...verdict("v4"), risk_level: "HIGH", score: 80 }]);
    const record = (verdicts: [SignedVerdict, SignedVerdict]) =>
      canonicalBytes({
        type: TypeTags.equivocation,
        payment_id: "pay_1",
        validator_id: "v4",
        attempt: 1,
        verdicts,
        detected_at: "2026-01-01T00:00:04.000Z",
      });
    expect(new EntryChecker(set).check(record([a!, b!]))).toMatchObject({ ok: true, payment_id: "pay_1" });
    expect(new EntryChecker(set).check(record([a!, a!]))).toMatchObject({ ok: false, code: "BAD_VERDICT" });
    const framed = { ...b!, verdict: { ...b!.verdict, validator_id: "v3" } };
    expect(new EntryChecker(set).check(record([a!, framed]))).toMatchObject({ ok: false, code: "BAD_VERDICT" });
  });

  it("refuses bytes that are not canonical JSON or name no type", () => {
    expect(new EntryChecker(set).check(Buffer.from('{ "type": "x" }'))).toMatchObject({ code: "BAD_ENTRY" });
    expect(new EntryChecker(set).check(canonicalBytes({ n: 1 }))).toMatchObject({ code: "BAD_ENTRY" });
  });

  it("fails an entry of a type our log never writes, with a stable code", () => {
    for (const type of ["other.log.v1", "sentineliq.decision.v9", "sentineliq.settle.v1"])
      expect(new EntryChecker(set).check(canonicalBytes({ type, payment_id: "pay_1" }))).toMatchObject({
        ok: false,
        type,
        code: "UNKNOWN_ENTRY_TYPE",
      });
  });
});
