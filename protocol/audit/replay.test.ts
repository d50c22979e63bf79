/** The registry's state machine, and its replay from the log catching changes it does not allow. */
import { describe, expect, it } from "vitest";
import { auditTransition } from "./transition.ts";
import type { AuditLogEntry } from "../schemas/audit.ts";
import { AuditReplay } from "./replay.ts";
import { Signer } from "../crypto.ts";
import { auditorVerifiers, signAuditStatement, type AuditStatement } from "./statement.ts";

const H = "ab".repeat(32);
const entry = (o: Partial<AuditLogEntry>): AuditLogEntry => ({
  type: "sentineliq.audit.v1",
  code_hash: H,
  name: "payInvoice",
  action: "submit",
  from: null,
  to: "pending",
  actor: { role: "agent" },
  at: "2025-01-01T00:00:00.000Z",
  ...o,
});
const auditor = { role: "auditor" as const, id: "a1" };

describe("auditTransition", () => {
  it.each([
    [null, "submit", { kind: "change", from: null, to: "pending" }],
    ["pending", "submit", { kind: "unchanged", state: "pending" }],
    ["pending", "approve", { kind: "change", from: "pending", to: "approved" }],
    ["approved", "approve", { kind: "unchanged", state: "approved" }],
    ["approved", "revoke", { kind: "change", from: "approved", to: "revoked" }],
    ["pending", "revoke", { kind: "change", from: "pending", to: "revoked" }],
    ["revoked", "revoke", { kind: "unchanged", state: "revoked" }],
    ["revoked", "submit", { kind: "unchanged", state: "revoked" }],
  ] as const)("%s + %s", (from, action, want) => {
    expect(auditTransition(from, action)).toEqual(want);
  });

  it("refuses approving a revoked hash and changing an unknown one", () => {
    expect(auditTransition("revoked", "approve")).toMatchObject({ kind: "refused", code: "AUDIT_REVOKED" });
    expect(auditTransition(null, "approve")).toMatchObject({ kind: "refused", code: "NOT_FOUND" });
    expect(auditTransition(null, "revoke")).toMatchObject({ kind: "refused", code: "NOT_FOUND" });
  });
});

describe("AuditReplay", () => {
  it("follows a submit, approve, revoke history", () => {
    const r = new AuditReplay();
    expect(r.push(entry({}))).toBeNull();
    expect(r.push(entry({ action: "approve", from: "pending", to: "approved", actor: auditor }))).toBeNull();
    expect(
      r.push(entry({ action: "revoke", from: "approved", to: "revoked", actor: auditor, note: "bad" })),
    ).toBeNull();
    expect(r.states.get(H)).toBe("revoked");
  });

  it.each([
    [
      "approval of a revoked hash",
      [
        entry({}),
        entry({ action: "revoke", from: "pending", to: "revoked", actor: auditor }),
        entry({ action: "approve", from: "revoked", to: "approved", actor: auditor }),
      ],
    ],
    ["approval without a submission", [entry({ action: "approve", from: "pending", to: "approved", actor: auditor })]],
    [
      "a change that misstates its starting point",
      [entry({}), entry({ action: "revoke", from: "approved", to: "revoked", actor: auditor })],
    ],
    ["a second submission logged as a change", [entry({}), entry({})]],
    ["an agent approving", [entry({}), entry({ action: "approve", from: "pending", to: "approved" })]],
    ["an auditor submitting", [entry({ actor: auditor })]],
  ])("catches %s", (_name, entries) => {
    const r = new AuditReplay();
    const problems = entries.map((e) => r.push(e));
    expect(problems.slice(0, -1)).toEqual(problems.slice(0, -1).map(() => null));
    expect(problems.at(-1)).toMatchObject({ code: "BAD_AUDIT_TRANSITION" });
  });

  it("calls an entry with missing or extra fields a bad entry", () => {
    expect(new AuditReplay().push({ type: "sentineliq.audit.v1", code_hash: H })).toMatchObject({ code: "BAD_ENTRY" });
    expect(new AuditReplay().push({ ...entry({}), surprise: 1 })).toMatchObject({ code: "BAD_ENTRY" });
  });
});

describe("AuditReplay with an auditor set", () => {
  const a1 = Signer.generate().signer;
  const set = auditorVerifiers([{ id: "a1", public_key: Buffer.from(a1.publicKey).toString("hex") }]);
  const said = (o: Partial<AuditStatement> = {}): AuditStatement => ({
    type: "sentineliq.audit_statement.v1",
    code_hash: H,
    action: "approve",
    auditor_id: "a1",
    note: "reviewed",
    signed_at: "2025-01-01T00:00:01.000Z",
    ...o,
  });
  const approve = (signed?: ReturnType<typeof signAuditStatement>) =>
    entry({
      action: "approve",
      from: "pending",
      to: "approved",
      actor: auditor,
      note: "reviewed",
      ...(signed ? { signed } : {}),
    });
  const replay = () => {
    const r = new AuditReplay(set);
    expect(r.push(entry({}))).toBeNull();
    return r;
  };

  it("accepts an approval its auditor signed", () => {
    expect(replay().push(approve(signAuditStatement(a1, said())))).toBeNull();
  });

  it("fails an approval nobody in the set signed: unsigned, another key, another statement, another auditor", () => {
    const mallory = Signer.generate().signer;
    const bad = [
      approve(),
      approve(signAuditStatement(mallory, said())),
      approve(signAuditStatement(a1, said({ code_hash: "cd".repeat(32) }))),
      approve(signAuditStatement(a1, said({ action: "revoke" }))),
      approve(signAuditStatement(mallory, said({ auditor_id: "mallory" }))),
      { ...approve(signAuditStatement(a1, said())), actor: { role: "auditor" as const, id: "mallory" } },
    ];
    for (const e of bad) expect(replay().push(e)).toMatchObject({ code: "BAD_AUDITOR_SIGNATURE" });
  });

  it("needs no signature where there is no auditor set (a network from before auditor keys)", () => {
    const r = new AuditReplay();
    expect(r.push(entry({}))).toBeNull();
    expect(r.push(approve())).toBeNull();
  });
});
