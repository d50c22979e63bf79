/** The audit registry from both sides: agents submit their tagged functions; auditors approve and revoke. */
import { transport, type Transport, type TransportOptions } from "./http.ts";
import { taggedFunctions, type TaggedFunction } from "./tagging.ts";
import type { AuditList, AuditRecord, AuditState } from "./wire.ts";

export interface ListQuery {
  state?: AuditState;
  after?: string;
  limit?: number;
}

export interface AgentAudit {
  /** Submits functions (default: every tagged one) for audit; idempotent by hash. */
  submit(fns?: readonly Pick<TaggedFunction, "name" | "hash" | "normalised">[]): Promise<AuditRecord[]>;
  list(query?: ListQuery): Promise<AuditList>;
  get(codeHash: string): Promise<AuditRecord>;
}

export interface AuditorClient {
  approve(codeHash: string, note?: string): Promise<AuditRecord>;
  /** Final: a revoked hash is never approved again. */
  revoke(codeHash: string, reason: string): Promise<AuditRecord>;
  list(query?: ListQuery): Promise<AuditList>;
  get(codeHash: string): Promise<AuditRecord>;
}

export async function submitCode(
  t: Transport,
  fns: readonly Pick<TaggedFunction, "name" | "hash" | "normalised">[],
): Promise<AuditRecord[]> {
  const byHash = new Map(fns.map((f) => [f.hash, f]));
  const out: AuditRecord[] = [];
  for (const f of byHash.values()) {
    out.push(
      await t.call<AuditRecord>("auditSubmit", { body: { code_hash: f.hash, name: f.name, source: f.normalised } }),
    );
  }
  return out;
}

const reader = (t: Transport) => ({
  list: (q: ListQuery = {}) =>
    t.call<AuditList>("auditList", { query: { state: q.state, after: q.after, limit: q.limit } }),
  get: (codeHash: string) => t.call<AuditRecord>("auditGet", { params: { code_hash: codeHash } }),
});

export function agentAudit(t: Transport): AgentAudit {
  return {
    submit: (fns) => submitCode(t, fns ?? taggedFunctions()),
    ...reader(t),
  };
}

/** A client holding an auditor's key (distinct from every agent key). */
export function createAuditorClient(opts: TransportOptions): AuditorClient {
  const t = transport(opts);
  return {
    approve: (codeHash, note) =>
      t.call<AuditRecord>("auditApprove", {
        params: { code_hash: codeHash },
        body: note === undefined ? {} : { note },
      }),
    revoke: (codeHash, reason) =>
      t.call<AuditRecord>("auditRevoke", { params: { code_hash: codeHash }, body: { reason } }),
    ...reader(t),
  };
}
