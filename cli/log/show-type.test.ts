/**
 * `log show --type admin`'s lines: an admin entry names time, action, actor,
 * target and organisation; a login event its kind, event and decision; other
 * events, other entry types and unreadable bytes are not on the trail.
 */
import { describe, expect, it } from "vitest";
import { canonicalBytes, policyFor, Signer, signAdminRecord, ValidatorSet } from "../../protocol/index.ts";
import { trailLine } from "./show-type.ts";

const set = ValidatorSet.parse({
  validators: ["v1", "v2", "v3", "v4"].map((id) => ({
    id,
    public_key: Buffer.from(Signer.generate().signer.publicKey).toString("hex"),
  })),
});
const bytes = (v: unknown) => Buffer.from(canonicalBytes(v));
const event = (kind: string) => ({
  type: "sentineliq.event.v1",
  event_ref: "evt_1",
  event_digest: "e".repeat(64),
  kind,
  outcome: "decided",
  decision: "challenge",
  risk_level: "HIGH",
  score: 80,
  reasons: [],
  policy: policyFor(set, "challenge"),
  dissent: [],
  absent: [],
  rejected: [],
  equivocations: [],
  decided_at: "2026-12-07T23:50:04.000Z",
  verdicts: [],
});

describe("log show --type admin lines", () => {
  it("an admin entry: index, time, action, actor, target, organisation", () => {
    const r = signAdminRecord(Signer.generate().signer, {
      actor: { kind: "user", id: "usr_1", org: "org_a" },
      action: "user.invited",
      target: { kind: "invitation", id: "bob@example.test" },
      org: "org_a",
      at: "2026-12-07T23:50:01.000Z",
      details: { role: "analyst" },
    });
    expect(trailLine(5, bytes(r))).toBe(
      "5\t2026-12-07T23:50:01.000Z\tuser.invited\tuser:usr_1@org_a\tinvitation:bob@example.test\torg_a",
    );
    const op = { ...r, actor: { kind: "operator", id: "op", org: null }, org: null };
    expect(trailLine(6, bytes(op))?.split("\t").slice(3)).toEqual(["operator:op", "invitation:bob@example.test", "-"]);
  });

  it("a login event: its kind, event and decision; other events and entries are left out", () => {
    const line = trailLine(9, bytes(event("login_failure")));
    expect(line).toBe("9\t2026-12-07T23:50:04.000Z\tlogin_failure\t-\tevent:evt_1\tchallenge/HIGH");
    expect(trailLine(10, bytes(event("device_change")))).toBeUndefined();
    expect(trailLine(11, bytes({ type: "sentineliq.decision.v1", payment_id: "pay_1" }))).toBeUndefined();
    expect(trailLine(12, Buffer.from("not json"))).toBeUndefined();
  });

  it("a malformed admin entry is shown as such, never silently dropped", () => {
    expect(trailLine(13, bytes({ type: "sentineliq.admin.v1" }))).toContain("(malformed admin entry)");
  });
});
