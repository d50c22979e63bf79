/** What the sequencer checks of an append made elsewhere before it logs it or applies its outcome. */
import { decisionOf } from "../../test/helpers/decisions.ts";
import { describe, expect, it } from "vitest";
import {
  ADMIN_ENTRY_TYPE,
  adminEntryKey,
  canonicalBytes,
  decisionKey,
  erasureEntryKey,
  policyFor,
  signAdminRecord,
  signVerdict,
  Signer,
  ValidatorSet,
  Verifier,
  type AdminRecord,
  type LogAppend,
  type PaymentOutcome,
  type QuorumDecision,
  type QuorumPolicy,
} from "../../protocol/index.ts";
import { AppendChecker } from "./guard.ts";

const keys = new Map(["v1", "v2", "v3", "v4"].map((id) => [id, Signer.generate().signer]));
const set = ValidatorSet.parse({
  validators: [...keys].map(([id, s]) => ({ id, public_key: Buffer.from(s.publicKey).toString("hex") })),
});
const checker = new AppendChecker(set, new Verifier(Signer.generate().signer.publicKey));
const DIGEST = "d".repeat(64);

function decision(policy: QuorumPolicy = policyFor(set, "challenge"), voters = ["v1", "v2", "v3", "v4"]) {
  const verdicts = voters.map((id) =>
    signVerdict(keys.get(id)!, {
      type: "sentineliq.verdict.v1",
      payment_id: "pay_1",
      attempt: 1,
      payment_digest: DIGEST,
      validator_id: id,
      risk_level: "LOW",
      score: 0,
      reasons: [],
      rule_pack: "0".repeat(64),
      evaluated_at: "2026-01-01T00:00:00.000Z",
    }),
  );
  const d = decisionOf(policy, verdicts, { payment_id: "pay_1", payment_digest: DIGEST });
  return d;
}
const outcome = (o: Partial<PaymentOutcome> = {}): PaymentOutcome => ({
  payment_id: "pay_1",
  status: "approved",
  risk_level: "LOW",
  decision: "approve",
  reasons: [],
  settlement: null,
  decided_at: "2026-01-01T00:00:01.000Z",
  ...o,
});
const append = (d: unknown, payment?: PaymentOutcome, key = decisionKey("pay_1", 1)): LogAppend => ({
  type: "sentineliq.log_append.v2",
  key,
  entry: Buffer.from(canonicalBytes(d)).toString("base64"),
  ...(payment ? { payment } : {}),
});
const check = (d: QuorumDecision | Record<string, unknown>, payment?: PaymentOutcome, key?: string) =>
  checker.check(append(d, payment, key), String(d.type), d);

describe("AppendChecker", () => {
  it("lets a verified decision's own outcome through, with the state guard it must pass", () => {
    expect(check(decision(), outcome())).toEqual({ guard: { attempt: 1, digest: DIGEST } });
  });

  it("refuses an outcome the decision does not record, or one riding on another kind of entry", () => {
    expect(check(decision(), outcome({ status: "settled" }))).toMatchObject({ refused: "OUTCOME_MISMATCH" });
    expect(check(decision(), outcome({ payment_id: "pay_2" }))).toMatchObject({ refused: "OUTCOME_MISMATCH" });
    const record = { type: "sentineliq.challenge_expired.v2", payment_id: "pay_1" };
    expect(check(record, outcome())).toMatchObject({ refused: "OUTCOME_MISMATCH" });
  });

  it("refuses a decision whose verdicts do not verify, or that sits under another key", () => {
    const d = decision();
    const forged = {
      ...d,
      verdicts: [{ ...d.verdicts[0]!, signature: d.verdicts[1]!.signature }, ...d.verdicts.slice(1)],
    };
    expect(check(forged, outcome())).toMatchObject({ refused: "DECISION_UNVERIFIED" });
    expect(check(d, outcome(), decisionKey("pay_1", 2))).toMatchObject({ refused: "DECISION_UNVERIFIED" });
  });

  it("refuses a decision taken under a policy weaker than the validator set's (one verdict approving)", () => {
    const weak: QuorumPolicy = { ...policyFor(set, "challenge"), approve: 1, members: ["v1"], weights: { v1: 1 } };
    expect(check(decision(weak, ["v1"]), outcome())).toMatchObject({ refused: "DECISION_UNVERIFIED" });
    const alien: QuorumPolicy = { ...policyFor(set, "challenge"), n: 1, f: 0 };
    expect(check(decision(alien), outcome())).toMatchObject({ refused: "DECISION_UNVERIFIED" });
  });

  it("refuses a tombstone appended as an entry, and an erasure record malformed or under another key", () => {
    const tomb = { type: "sentineliq.redacted.v1", index: 0, leaf_hash: "A".repeat(43) + "=", erasure_index: 1 };
    expect(check(tomb)).toMatchObject({ refused: "BAD_ERASURE" });
    const record = {
      type: "sentineliq.erasure.v1",
      org: "acme",
      subject_kind: "agent",
      subject_hash: "a".repeat(64),
      entries_redacted: [0],
      rows_erased: 1,
      actor: { kind: "user", id: "usr_1" },
      at: "2026-12-08T00:00:00.000Z",
    };
    expect(check(record, undefined, erasureEntryKey("acme", canonicalBytes(record)))).toEqual({});
    expect(check(record, undefined, erasureEntryKey("bolt", canonicalBytes(record)))).toMatchObject({
      refused: "BAD_ERASURE",
    });
    const bad = { ...record, subject_hash: "agent-x" };
    expect(check(bad, undefined, erasureEntryKey("acme", canonicalBytes(bad)))).toMatchObject({
      refused: "BAD_ERASURE",
    });
  });
});

describe("admin appends", () => {
  const logKey = Signer.generate().signer;
  const withKey = new AppendChecker(
    set,
    new Verifier(Signer.generate().signer.publicKey),
    new Verifier(logKey.publicKey),
  );
  const record = (signer = logKey, org = "org_a") =>
    signAdminRecord(signer, {
      actor: { kind: "user", id: "usr_1", org },
      action: "user.invited",
      target: { kind: "invitation", id: "bob@example.test" },
      org,
      at: "2026-12-07T23:50:00.000Z",
      details: { role: "member" },
    });
  const append = (r: AdminRecord, key = adminEntryKey(r.org, canonicalBytes(r))): LogAppend => ({
    type: "sentineliq.log_append.v2",
    key,
    entry: Buffer.from(canonicalBytes(r)).toString("base64"),
  });

  it("takes an admin entry signed by the log key, under its organisation's key", () => {
    expect(withKey.check(append(record()), ADMIN_ENTRY_TYPE, record())).toEqual({});
  });

  it("refuses one signed by another key, a tampered one, one under another organisation's key, and any without a log key", () => {
    const forged = record(Signer.generate().signer);
    expect(withKey.check(append(forged), ADMIN_ENTRY_TYPE, forged)).toMatchObject({ refused: "ADMIN_UNSIGNED" });
    const tampered = { ...record(), actor: { kind: "user" as const, id: "usr_2", org: "org_a" } };
    expect(withKey.check(append(tampered), ADMIN_ENTRY_TYPE, tampered)).toMatchObject({ refused: "ADMIN_UNSIGNED" });
    const moved = append(record(), adminEntryKey("org_b", canonicalBytes(record())));
    expect(withKey.check(moved, ADMIN_ENTRY_TYPE, record())).toMatchObject({ refused: "ADMIN_UNSIGNED" });
    expect(checker.check(append(record()), ADMIN_ENTRY_TYPE, record())).toMatchObject({ refused: "ADMIN_UNSIGNED" });
  });
});
