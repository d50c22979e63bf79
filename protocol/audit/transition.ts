/**
 * The audit registry's state machine, as a pure function. It lives in
 * `protocol/` because it is public: the coordinator applies it, and an auditor
 * replaying the verdict log checks every logged change against it.
 *
 *   submit:  (none) → pending;       known hash → no change
 *   approve: pending → approved;     approved → no change;  revoked → refused (final)
 *   revoke:  pending | approved → revoked;                   revoked → no change
 *
 * A revoked hash stays revoked: fixed code has a new hash and is audited anew.
 */
import type { AuditAction, AuditState } from "../schemas/audit.ts";

export type AuditTransition =
  | { kind: "change"; from: AuditState | null; to: AuditState }
  | { kind: "unchanged"; state: AuditState }
  | { kind: "refused"; code: "NOT_FOUND" | "AUDIT_REVOKED"; message: string };

export function auditTransition(current: AuditState | null, action: AuditAction): AuditTransition {
  if (action === "submit") {
    return current === null ? { kind: "change", from: null, to: "pending" } : { kind: "unchanged", state: current };
  }
  if (current === null)
    return { kind: "refused", code: "NOT_FOUND", message: "this code hash has not been submitted for audit" };
  if (action === "approve") {
    if (current === "pending") return { kind: "change", from: current, to: "approved" };
    if (current === "approved") return { kind: "unchanged", state: current };
    return {
      kind: "refused",
      code: "AUDIT_REVOKED",
      message: "a revoked code hash cannot be approved again; audit the fixed code instead",
    };
  }
  if (current === "revoked") return { kind: "unchanged", state: current };
  return { kind: "change", from: current, to: "revoked" };
}
