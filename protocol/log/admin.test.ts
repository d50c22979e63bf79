/**
 * Admin entries (the audit trail): the schema refuses secrets and unknown
 * actions; `log verify`'s checker accepts a record signed by the coordinator's
 * log key and fails a tampered one, one signed by another key, and a malformed
 * one; without the key it checks the shape and reports the entry as unchecked.
 */
import { describe, expect, it } from "vitest";
import { canonicalBytes } from "../canonical.ts";
import { Signer } from "../crypto.ts";
import { ValidatorSet } from "../schemas/network.ts";
import { adminEntryKey, AdminRecord, signAdminRecord, type AdminChange } from "./admin.ts";
import { EntryChecker } from "./verify-entries.ts";

const coordinator = Signer.generate().signer;
const set = ValidatorSet.parse({
  validators: ["v1", "v2", "v3", "v4"].map((id) => ({
    id,
    public_key: Buffer.from(Signer.generate().signer.publicKey).toString("hex"),
  })),
});
const change: Omit<AdminChange, "type"> = {
  actor: { kind: "user", id: "usr_owner", org: "org_a" },
  action: "user.deactivated",
  target: { kind: "user", id: "usr_bob" },
  org: "org_a",
  at: "2026-12-07T23:50:00.000Z",
  details: { role: "member" },
};
const checker = () => new EntryChecker(set, coordinator.publicKey);

describe("admin entries", () => {
  it("verify when signed by the coordinator's log key, and are counted as checked", () => {
    const bytes = canonicalBytes(signAdminRecord(coordinator, change));
    expect(checker().check(bytes)).toEqual({ ok: true, type: "sentineliq.admin.v1", checked: true });
  });

  it("fail verify when tampered: another actor, action or detail after signing", () => {
    const r = signAdminRecord(coordinator, change);
    for (const forged of [
      { ...r, actor: { ...r.actor, id: "usr_mallory" } },
      { ...r, action: "user.invited" },
      { ...r, details: { role: "admin" } },
      { ...r, org: "org_b" },
    ])
      expect(checker().check(canonicalBytes(forged))).toMatchObject({ ok: false, code: "BAD_ADMIN_SIGNATURE" });
  });

  it("fail verify when signed by any other key", () => {
    const forged = signAdminRecord(Signer.generate().signer, change);
    expect(checker().check(canonicalBytes(forged))).toMatchObject({ ok: false, code: "BAD_ADMIN_SIGNATURE" });
  });

  it("fail verify when malformed: unknown action, extra field, missing signature", () => {
    const r = signAdminRecord(coordinator, change);
    const { signature: _, ...unsigned } = r;
    for (const bad of [{ ...r, action: "user.deleted" }, { ...r, extra: 1 }, unsigned])
      expect(checker().check(canonicalBytes(bad))).toMatchObject({ ok: false, code: "BAD_ENTRY" });
  });

  it("without the coordinator's key are checked for shape only (reported as not checked)", () => {
    const bytes = canonicalBytes(signAdminRecord(coordinator, change));
    expect(new EntryChecker(set).check(bytes)).toMatchObject({ ok: true, checked: false });
    expect(new EntryChecker(set).check(canonicalBytes({ type: "sentineliq.admin.v1" }))).toMatchObject({
      code: "BAD_ENTRY",
    });
  });

  it("never hold a secret: detail keys naming passwords, tokens or keys, and long values are refused", () => {
    const secrets: Record<string, string>[] = [
      { password: "hunter2" },
      { new_password_hash: "$argon2id$..." },
      { invitation_token: "abc" },
      { private_key: "x" },
      { api_key: "siq_live_x" },
      { note: "k".repeat(257) },
    ];
    for (const details of secrets) expect(() => signAdminRecord(coordinator, { ...change, details })).toThrow();
    expect(AdminRecord.safeParse({ ...signAdminRecord(coordinator, change), details: { secret: "s" } }).success).toBe(
      false,
    );
  });

  it("are keyed by their organisation, and the same change is one key", () => {
    const bytes = canonicalBytes(signAdminRecord(coordinator, change));
    expect(adminEntryKey("org_a", bytes)).toMatch(/^admin:org_a:[0-9a-f]{64}$/);
    expect(adminEntryKey(null, bytes)).toMatch(/^admin:-:[0-9a-f]{64}$/);
    expect(adminEntryKey("org_a", bytes)).toBe(adminEntryKey("org_a", Buffer.from(bytes)));
  });
});
