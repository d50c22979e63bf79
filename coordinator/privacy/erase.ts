/**
 * Erases a data subject of an organisation. The erasure entry is logged first
 * (through the sequencer's signed append path), then, in one transaction,
 * every entry about the subject is replaced by a tombstone naming that entry
 * (the leaf hash is kept, the tiles are untouched), and the subject's rows are
 * deleted (payments, settlements, events) or anonymised (a user). Erasing
 * again finds nothing left and logs that too; a subject the organisation never
 * held (or another organisation's) is a 404, and one with payments or events
 * still being decided a 409 (erase once they are). Once committed, the log
 * archive is told which entries became tombstones: it rewrites the archived
 * entry bundles holding them.
 */
import { randomBytes } from "node:crypto";
import type { Db, Queryable } from "../../lib/db.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  canonicalBytes,
  ERASURE_ENTRY_TYPE,
  erasureEntryKey,
  leafHash,
  SiqError,
  subjectHash,
  TOMBSTONE_TYPE,
  tombstoneBytes,
  type ErasureRecord,
  type ErasureResult,
} from "../../protocol/index.ts";
import type { LogSequencer, TileArchive } from "../log/index.ts";
import { heldRows, subjectEntries, type Held, type Subject } from "./subjects.ts";

/** Payments still being decided: erasing them would pull their rows from under the decision. */
const OPEN = new Set(["evaluating", "challenged"]);

export interface ErasureComponents {
  db: Db;
  sequencer: Pick<LogSequencer, "appendEntry">;
  logger: Logger;
  /** The log archive, told which entries became tombstones so it rewrites the bundles holding them. */
  archive?: Pick<TileArchive, "redact"> | null;
}

/** The organisation's privacy key (made on first use): the HMAC key its subjects are logged under. */
export async function privacyKey(db: Queryable, tenant: string): Promise<Buffer> {
  await db.query("INSERT INTO siq_privacy_keys (tenant_id, key) VALUES ($1, $2) ON CONFLICT DO NOTHING", [
    tenant,
    randomBytes(32),
  ]);
  const rows = await db.query<{ key: Buffer }>("SELECT key FROM siq_privacy_keys WHERE tenant_id = $1", [tenant]);
  return rows[0]!.key;
}

export class Erasure {
  readonly #c: ErasureComponents;

  constructor(c: ErasureComponents) {
    this.#c = c;
  }

  async erase(s: Subject, actor: string): Promise<ErasureResult> {
    const { db } = this.#c;
    const held = await heldRows(db, s);
    const entries = await subjectEntries(db, s, held);
    const hash = subjectHash(await privacyKey(db, s.tenant), s.kind, s.id);
    const rows = held.payments.length + held.settlements.length + held.events.length + held.users.length;
    if (rows + entries.length === 0 && !(await erasedBefore(db, s.tenant, hash)))
      throw new SiqError("NOT_FOUND", `your organisation holds nothing about ${s.kind} ${s.id}`);
    const open = held.payments.filter((p) => OPEN.has(String(p.status))).length;
    const deciding = held.events.filter((e) => e.status === "evaluating").length;
    if (open + deciding > 0)
      throw new SiqError(
        "CONFLICT",
        `${open} payments and ${deciding} events of ${s.kind} ${s.id} are still being decided; erase once they are`,
      );
    const record: ErasureRecord = {
      type: ERASURE_ENTRY_TYPE,
      org: s.tenant,
      subject_kind: s.kind,
      subject_hash: hash,
      entries_redacted: entries.map((e) => e.idx),
      rows_erased: rows,
      actor: { kind: "user", id: actor },
      at: new Date().toISOString(),
    };
    const bytes = canonicalBytes(record);
    const index = await this.#c.sequencer.appendEntry(erasureEntryKey(s.tenant, bytes), bytes);
    await db.tx(async (q) => {
      for (const e of entries) {
        const leaf = leafHash(e.entry).toString("base64");
        const tomb = Buffer.from(tombstoneBytes({ index: e.idx, leaf_hash: leaf, erasure_index: index }));
        // A concurrent erasure may have got there first: a tombstone is never replaced.
        await q.query("UPDATE siq_log_entries SET entry = $2, entry_type = $3 WHERE idx = $1 AND entry_type <> $3", [
          e.idx,
          tomb,
          TOMBSTONE_TYPE,
        ]);
      }
      await eraseRows(q, s, held);
    });
    this.#c.archive?.redact(entries.map((e) => e.idx));
    this.#c.logger.info({ kind: s.kind, subject_hash: hash, index, redacted: entries.length, rows }, "subject erased");
    return {
      subject_kind: s.kind,
      subject_hash: hash,
      erasure_index: index,
      entries_redacted: record.entries_redacted,
      rows_erased: rows,
    };
  }
}

/** True when the organisation logged an erasure of the subject with this hash. */
export async function erasedBefore(db: Queryable, tenant: string, hash: string): Promise<boolean> {
  const rows = await db.query(
    `SELECT 1 FROM siq_log_entries WHERE entry_key LIKE 'erasure:%' AND split_part(entry_key, ':', 2) = $1
     AND position($2::bytea in entry) > 0 LIMIT 1`,
    [tenant, Buffer.from(hash)],
  );
  return rows.length > 0;
}

async function eraseRows(q: Queryable, s: Subject, held: Held): Promise<void> {
  const payments = JSON.stringify(held.payments.map((p) => p.payment_id));
  const inPayments = "payment_id IN (SELECT jsonb_array_elements_text($1::jsonb))";
  await q.query(`DELETE FROM siq_settlement_txs WHERE ${inPayments}`, [payments]);
  await q.query(`DELETE FROM siq_settlements WHERE ${inPayments}`, [payments]);
  await q.query(`DELETE FROM siq_payments WHERE ${inPayments}`, [payments]);
  const events = JSON.stringify(held.events.map((e) => e.event_ref));
  await q.query("DELETE FROM siq_events WHERE event_ref IN (SELECT jsonb_array_elements_text($1::jsonb))", [events]);
  for (const u of held.users) {
    const id = String(u.id);
    await q.query(
      `DELETE FROM siq_refresh_tokens WHERE session_id IN (SELECT id FROM siq_sessions WHERE user_id = $1)`,
      [id],
    );
    await q.query(
      `UPDATE siq_sessions SET revoked_at = COALESCE(revoked_at, now()), revoked_reason = 'erased' WHERE user_id = $1`,
      [id],
    );
    await q.query("DELETE FROM siq_link_tokens WHERE org_id = $1 AND (user_id = $2 OR email = $3)", [
      s.org,
      id,
      String(u.email),
    ]);
    await q.query(
      `UPDATE siq_users SET email = $2, display_name = NULL, password_hash = '!', active = false,
         deactivated_at = COALESCE(deactivated_at, now()), token_version = token_version + 1 WHERE id = $1`,
      [id, `erased-${id}@erased.invalid`],
    );
  }
}
