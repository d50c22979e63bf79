/**
 * Replays the audit registry from the verdict log, as an auditor would: each
 * `sentineliq.audit.v1` entry must be a change the registry's state machine
 * allows from the state the earlier entries left (a revoked hash is never
 * approved again, nothing is approved without a submission).
 */
import type { Verifier } from "../crypto.ts";
import { auditStatementProblem } from "./statement.ts";
import { auditTransition } from "./transition.ts";
import { AuditLogEntry, type AuditState } from "../schemas/audit.ts";
import { TypeTags } from "../tags.ts";

export const AUDIT_ENTRY_TYPE = TypeTags.audit;

export class AuditReplay {
  readonly #states = new Map<string, AuditState>();
  readonly #auditors: ReadonlyMap<string, Verifier> | undefined;

  /** `auditors`: the auditor set; with it, every approval and revocation must carry a statement one of them signed. */
  constructor(auditors?: ReadonlyMap<string, Verifier>) {
    this.#auditors = auditors;
  }

  /** The registry as the log has it so far. */
  get states(): ReadonlyMap<string, AuditState> {
    return this.#states;
  }

  /** Checks one entry and applies it; returns what is wrong, or null. */
  push(
    json: unknown,
  ): { code: "BAD_ENTRY" | "BAD_AUDIT_TRANSITION" | "BAD_AUDITOR_SIGNATURE"; message: string } | null {
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
    const problem = this.#signature(e);
    if (problem) return { code: "BAD_AUDITOR_SIGNATURE", message: problem };
    this.#states.set(e.code_hash, e.to);
    return null;
  }

  /** For one entry alone (no state): what is wrong with its auditor's signature, or null (a submission needs none). */
  signatureProblem(json: unknown): string | null {
    const parsed = AuditLogEntry.safeParse(json);
    if (!parsed.success) return `entry is not an audit change: ${parsed.error.issues[0]?.message}`;
    return this.#signature(parsed.data);
  }

  #signature(e: AuditLogEntry): string | null {
    if (!this.#auditors || e.action === "submit") return null;
    if (e.actor.role !== "auditor") return `an ${e.action} by an ${e.actor.role}`;
    return auditStatementProblem(this.#auditors, e.signed, {
      code_hash: e.code_hash,
      action: e.action,
      note: e.note,
      auditor_id: e.actor.id,
    });
  }
}
