/**
 * Replays the audit registry from the verdict log, as an auditor would: each
 * `sentineliq.audit.v1` entry must be a change the registry's state machine
 * allows from the state the earlier entries left (a revoked hash is never
 * approved again, nothing is approved without a submission).
 */
import { auditTransition } from "./transition.ts";
import { AuditLogEntry, type AuditState } from "../schemas/audit.ts";
import { TypeTags } from "../tags.ts";

export const AUDIT_ENTRY_TYPE = TypeTags.audit;

export class AuditReplay {
  readonly #states = new Map<string, AuditState>();

  /** The registry as the log has it so far. */
  get states(): ReadonlyMap<string, AuditState> {
    return this.#states;
  }

  /** Checks one entry and applies it; returns what is wrong, or null. */
  push(json: unknown): { code: "BAD_ENTRY" | "BAD_AUDIT_TRANSITION"; message: string } | null {
    const parsed = AuditLogEntry.safeParse(json);
    if (!parsed.success)
      return { code: "BAD_ENTRY", message: `entry is not an audit change: ${parsed.error.issues[0]?.message}` };
    const e = parsed.data;
    const current = this.#states.get(e.code_hash) ?? null;
    const t = auditTransition(current, e.action);
    if (t.kind !== "change" || t.from !== e.from || t.to !== e.to) {
      return {
        code: "BAD_AUDIT_TRANSITION",
        message: `${e.action} of ${e.code_hash.slice(0, 12)}… from ${e.from ?? "none"} to ${e.to}, but the log has it ${current ?? "unknown"}`,
      };
    }
    if ((e.action === "submit") !== (e.actor.role === "agent")) {
      return {
        code: "BAD_AUDIT_TRANSITION",
        message: `${e.action} by an ${e.actor.role}: only agents submit and only auditors approve or revoke`,
      };
    }
    this.#states.set(e.code_hash, e.to);
    return null;
  }
}
