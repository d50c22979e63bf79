/** The one collector, on event verdicts (payments go through it via checkVerdict): every check, and the tally. */
import { describe, expect, it } from "vitest";
import {
  signEventVerdict,
  Signer,
  TypeTags,
  Verifier,
  verifyEventVerdict,
  type SignedEventVerdict,
} from "../../protocol/index.ts";
import { collect, Tally, type VoteKind } from "./collector.ts";

const ids = ["v1", "v2", "v3", "v4"];
const keys = new Map(ids.map((id) => [id, Signer.generate().signer]));
const validators = new Map(ids.map((id) => [id, new Verifier(keys.get(id)!.publicKey)]));
const digest = "e".repeat(64);
const started = Date.parse("2026-01-01T00:00:00.000Z");

const vote = (id: string, o: { at?: string; level?: "LOW" | "HIGH"; digest?: string; key?: Signer } = {}) =>
  signEventVerdict(o.key ?? keys.get(id)!, {
    type: TypeTags.event_verdict,
    event_ref: "evt_1",
    event_digest: o.digest ?? digest,
    validator_id: id,
    risk_level: o.level ?? "LOW",
    score: 0,
    reasons: [],
    rule_pack: "b".repeat(64),
    evaluated_at: o.at ?? "2026-01-01T00:00:01.000Z",
  });

const kind: VoteKind<SignedEventVerdict> = {
  subjectFor: (id) => `siq.v1.verdicts.events.${id}`,
  verify: verifyEventVerdict,
  binding: (s) =>
    s.verdict.event_digest !== digest ? { code: "WRONG_DIGEST", validator_id: s.verdict.validator_id } : null,
};

describe("the vote collector", () => {
  const now = started + 2000;
  const run = (
    t: Tally<SignedEventVerdict>,
    v: SignedEventVerdict,
    subject = kind.subjectFor(v.verdict.validator_id),
    members = ["v1", "v2", "v3"],
  ) =>
    t.apply(
      v,
      collect(validators, kind, subject, v, { members: new Set(members), startedAtMs: started, seen: t.votes }, now),
    );

  it("accepts a member's fresh, bound, signed vote", () => {
    const t = new Tally<SignedEventVerdict>();
    expect(run(t, vote("v1"))).toBe("ACCEPTED");
    expect([...t.votes.keys()]).toEqual(["v1"]);
  });

  it("refuses strangers, other subjects, non-members, other events, stale votes and forged signatures", () => {
    const t = new Tally<SignedEventVerdict>();
    expect(run(t, vote("v9", { key: keys.get("v1")! }))).toBe("UNKNOWN_VALIDATOR");
    expect(run(t, vote("v1"), kind.subjectFor("v2"))).toBe("SUBJECT_MISMATCH");
    expect(run(t, vote("v4"))).toBe("NOT_A_MEMBER");
    expect(run(t, vote("v1", { digest: "f".repeat(64) }))).toBe("WRONG_DIGEST");
    expect(run(t, vote("v1", { at: "2025-12-31T23:00:00.000Z" }))).toBe("STALE");
    expect(run(t, vote("v1", { at: "2026-01-01T01:00:00.000Z" }))).toBe("STALE");
    expect(run(t, vote("v2", { key: keys.get("v3")! }))).toBe("BAD_SIGNATURE");
    expect(t.votes.size).toBe(0);
    expect(t.rejected.map((r) => r.code)).toEqual([
      "UNKNOWN_VALIDATOR",
      "SUBJECT_MISMATCH",
      "NOT_A_MEMBER",
      "WRONG_DIGEST",
      "STALE",
      "STALE",
      "BAD_SIGNATURE",
    ]);
  });

  it("ignores a duplicate; keeps an equivocation as evidence and counts neither vote", () => {
    const t = new Tally<SignedEventVerdict>();
    const first = vote("v1");
    run(t, first);
    expect(run(t, first)).toBe("DUPLICATE");
    expect(t.rejected).toEqual([]);
    const second = vote("v1", { level: "HIGH" });
    expect(run(t, second)).toBe("EQUIVOCATION");
    expect(t.votes.has("v1")).toBe(false);
    expect(t.equivocations).toEqual([{ validator_id: "v1", verdicts: [first, second] }]);
    expect(t.spoken()).toEqual(new Set(["v1"]));
  });
});
