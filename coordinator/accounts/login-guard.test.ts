import { describe, expect, it } from "vitest";
import type { EventView } from "../../protocol/index.ts";
import { answerOf } from "./login-guard.ts";

const view = (o: Partial<EventView>): EventView => ({
  event_id: "login:x",
  event_ref: "evt_x",
  kind: "login",
  status: "decided",
  reasons: [],
  received_at: "2026-12-07T23:00:00.000Z",
  ...o,
});
const reason = (code: string) => ({ code, message: "…", validators: 3 });

describe("what the network's decision means for a login", () => {
  it("approve goes on, challenge steps up, reject locks", () => {
    expect(answerOf(view({ decision: "approve", risk_level: "LOW" }))).toBe("proceed");
    expect(answerOf(view({ decision: "challenge", risk_level: "HIGH", reasons: [reason("BRUTE_FORCE")] }))).toBe(
      "step_up",
    );
    expect(answerOf(view({ decision: "reject", risk_level: "CRITICAL", reasons: [reason("ACCOUNT_LOCKOUT")] }))).toBe(
      "locked",
    );
  });

  it("fails closed: still pending, no quorum or timed out (the quorum's own fail-closed challenge), unsafe set", () => {
    expect(answerOf(view({ status: "pending" }))).toBe("undecided");
    expect(answerOf(view({ status: "evaluating" }))).toBe("undecided");
    expect(answerOf(view({ decision: "challenge", risk_level: "HIGH", reasons: [reason("QUORUM_TIMEOUT")] }))).toBe(
      "undecided",
    );
    expect(
      answerOf(view({ decision: "challenge", risk_level: "MEDIUM", reasons: [reason("QUORUM_NOT_REACHED")] })),
    ).toBe("undecided");
    expect(answerOf(view({ decision: "reject", risk_level: "HIGH", reasons: [reason("VALIDATORS_EXCLUDED")] }))).toBe(
      "undecided",
    );
    // Even without a quorum, CRITICAL verdicts enough to reject still lock.
    expect(answerOf(view({ decision: "reject", risk_level: "CRITICAL", reasons: [reason("QUORUM_TIMEOUT")] }))).toBe(
      "locked",
    );
  });
});
