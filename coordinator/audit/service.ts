/**
 * The audit registry. Agents submit code hashes (with the normalised source,
 * which must hash to them); auditors approve or revoke them. Every change is
 * one `sentineliq.audit.v1` entry in the verdict log; the registry table is
 * written from that entry in the transaction that integrates it (a
 * projection of the log), then published to the validators.
 * Changes run one at a time, so each entry's `from` is the state it changed.
 */
import type { Logger } from "../../lib/logger.ts";
import {
  AuditLogEntry,
  auditStatementProblem,
  auditTransition,
  canonicalBytes,
  sha256Hex,
  SiqError,
  type AuditAction,
  type AuditActor,
  type AuditList,
  type AuditRecord,
  type AuditState,
  type AuditSubmission,
  type SignedAuditStatement,
  type Verifier,
} from "../../protocol/index.ts";
import type { Principal } from "../api/index.ts";
import type { LogSequencer } from "../log/index.ts";
import type { AuditPublisher } from "./publisher.ts";
import { toRecord, type AuditRow, type AuditStore } from "./store.ts";

export interface AuditServiceComponents {
  store: AuditStore;
  sequencer: LogSequencer;
  publisher: AuditPublisher;
  logger: Logger;
  /** The auditor set: when given, an approval or revocation must carry a statement one of them signed. */
  auditors?: ReadonlyMap<string, Verifier>;
}

interface Change {
  action: AuditAction;
  code_hash: string;
  actor: AuditActor;
  note?: string | undefined;
  /** An approval's or revocation's signed statement, logged with it. */
  signed?: SignedAuditStatement | undefined;
  /** For a submission: the name it was submitted under. */
  submission?: { name: string };
}

export class AuditService {
  readonly #c: AuditServiceComponents;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(c: AuditServiceComponents) {
    this.#c = c;
  }

  async submit(tenant: string, body: AuditSubmission): Promise<AuditRecord> {
    if (sha256Hex(body.source) !== body.code_hash) {
      throw new SiqError(
        "CODE_HASH_MISMATCH",
        "code_hash is not the SHA-256 of source (send the normalised source the SDK hashed)",
      );
    }
    return this.#serial(async () => {
      await this.#c.store.saveSource(body.code_hash, body.name, body.source);
      await this.#c.store.addSubmitter(body.code_hash, tenant);
      const { row, changed } = await this.#apply({
        action: "submit",
        code_hash: body.code_hash,
        actor: { role: "agent" },
        submission: { name: body.name },
      });
      return { ...toRecord(row, true), created: changed };
    });
  }

  approve(auditor: string, codeHash: string, note: string | undefined, signed?: SignedAuditStatement) {
    return this.#decide("approve", auditor, codeHash, note, signed);
  }

  revoke(auditor: string, codeHash: string, reason: string, signed?: SignedAuditStatement) {
    return this.#decide("revoke", auditor, codeHash, reason, signed);
  }

  /** An auditor's approval or revocation; with an auditor set, only as that auditor's signed statement says. */
  #decide(
    action: "approve" | "revoke",
    auditor: string,
    codeHash: string,
    note: string | undefined,
    signed: SignedAuditStatement | undefined,
  ): Promise<AuditRecord> {
    const auditors = this.#c.auditors;
    if (auditors) {
      const problem = auditStatementProblem(auditors, signed, { code_hash: codeHash, action, note });
      if (problem) throw new SiqError("FORBIDDEN", `${problem}: sign it with your auditor key (--signing-key)`);
    }
    // With an auditor set, the log names the auditor whose key signed, not the API key that carried it.
    const id = auditors && signed ? signed.statement.auditor_id : auditor;
    return this.#serial(async () => {
      const change: Change = { action, code_hash: codeHash, actor: { role: "auditor", id }, note };
      if (auditors && signed) change.signed = signed;
      return toRecord((await this.#apply(change)).row, true);
    });
  }

  /** Auditors see every record; an agent sees only hashes its organisation submitted (others are 404). */
  async get(who: Principal, codeHash: string): Promise<AuditRecord> {
    const row = await this.#c.store.get(codeHash);
    const visible =
      row &&
      (who.role === "auditor" || (who.role === "agent" && (await this.#c.store.submittedBy(codeHash, who.tenant))));
    if (!row || !visible) throw new SiqError("NOT_FOUND", `no audit record for ${codeHash}`);
    return toRecord(row, true);
  }

  async list(
    who: Principal,
    q: { state?: AuditState | undefined; after?: string | undefined; limit: number },
  ): Promise<AuditList> {
    const rows = await this.#c.store.list({
      ...q,
      tenant: who.role === "agent" ? who.tenant : undefined,
      limit: q.limit + 1,
    });
    const page = rows.slice(0, q.limit).map((r) => toRecord(r, false));
    const out: AuditList = { records: page };
    if (rows.length > q.limit) out.next = page[page.length - 1]!.code_hash;
    return out;
  }

  async #apply(c: Change): Promise<{ row: AuditRow; changed: boolean }> {
    const { store, sequencer, publisher } = this.#c;
    const current = await store.get(c.code_hash);
    const t = auditTransition(current?.state ?? null, c.action);
    if (t.kind === "refused") throw new SiqError(t.code, t.message);
    if (t.kind === "unchanged") {
      if (publisher.isDirty(c.code_hash)) await publisher.publish(current!);
      return { row: current!, changed: false };
    }
    const at = new Date().toISOString();
    const entry = AuditLogEntry.parse({
      type: "sentineliq.audit.v1",
      code_hash: c.code_hash,
      name: c.submission?.name ?? current!.name,
      action: c.action,
      from: t.from,
      to: t.to,
      actor: c.actor,
      ...(c.note !== undefined ? { note: c.note } : {}),
      at,
      ...(c.signed ? { signed: c.signed } : {}),
    });
    // One key per hash and action (each happens once): a retried or re-published change is logged once.
    const index = await sequencer.appendEntry(`audit:${c.code_hash}:${c.action}`, canonicalBytes(entry));
    const row = await store.get(c.code_hash);
    if (!row) throw new SiqError("INTERNAL", `audit entry ${index} was logged but the registry has no ${c.code_hash}`);
    this.#c.logger.info(
      { code_hash: c.code_hash, action: c.action, from: t.from, to: t.to, log_index: index },
      "audit registry changed",
    );
    await publisher.publish(row);
    return { row, changed: Number(row.log_index) === index };
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }
}
