/**
 * Who may read which log entry. The tree (hash tiles, checkpoints, proofs) is
 * public; an entry's bytes are readable by an auditor, and by the organisation
 * the entry is about:
 * - an entry naming a payment (decisions, challenge records, an exclusion whose
 *   evidence is that payment) belongs to the payment's tenant;
 * - an event decision (`event:<event_ref>`) to the event's tenant;
 * - an audit registry change (`audit:<code_hash>:<action>`) to every tenant that
 *   submitted that code;
 * - an erasure (`erasure:<tenant>:<hash>`) to the tenant that erased;
 * - an admin entry of the audit trail (`admin:<org>:<sha256>`) to its
 *   organisation (the key names it; `admin:-:…` is of no organisation): the
 *   tenant of that id, or the config tenant the organisation acts as.
 * Anything else (a reinstatement, a record of no organisation) is for auditors
 * only. The owners are looked up when read, in the tables those records
 * already keep, so the append path is unchanged.
 */
import type { Db } from "../../lib/db.ts";
import { ADMIN_ENTRY_TYPE, SiqError } from "../../protocol/index.ts";
import type { Principal } from "../api/index.ts";
import { toEntry, type EntryRow, type StoredEntry } from "./store.ts";

/** True when entry `e` belongs to tenant `$3`. */
export const OWNED = `(
  EXISTS (SELECT 1 FROM siq_payments p WHERE p.payment_id = e.payment_id AND p.tenant_id = $3)
  OR (e.entry_key LIKE 'event:%' AND EXISTS (
    SELECT 1 FROM siq_events v WHERE v.event_ref = substring(e.entry_key FROM 7) AND v.tenant_id = $3))
  OR (e.entry_key LIKE 'audit:%' AND EXISTS (
    SELECT 1 FROM siq_audit_submitters s WHERE s.code_hash = split_part(e.entry_key, ':', 2) AND s.tenant_id = $3))
  OR (e.entry_key LIKE 'erasure:%' AND split_part(e.entry_key, ':', 2) = $3)
  OR (e.entry_type = '${ADMIN_ENTRY_TYPE}' AND $3 <> '-' AND (
    e.entry_key = 'admin:' || $3 || ':' || right(e.entry_key, 64)
    OR EXISTS (SELECT 1 FROM siq_orgs o
      WHERE o.tenant_id = $3 AND e.entry_key = 'admin:' || o.id || ':' || right(e.entry_key, 64))))
)`;

/** Up to `limit` entries from index `start` that this tenant may read, in index order. */
export async function tenantEntries(db: Db, tenant: string, start: number, limit: number): Promise<StoredEntry[]> {
  const rows = await db.query<EntryRow>(
    `SELECT e.* FROM siq_log_entries e WHERE e.idx >= $1 AND ${OWNED} ORDER BY e.idx LIMIT $2`,
    [start, limit, tenant],
  );
  return rows.map(toEntry);
}

/** The entries from `start` that `who` may read: an auditor all of them, an agent its organisation's. */
export async function readableEntries(
  db: Db,
  who: Principal | undefined,
  start: number,
  limit: number,
  all: (start: number, limit: number) => Promise<StoredEntry[]>,
): Promise<StoredEntry[]> {
  if (who?.role === "auditor") return all(start, limit);
  if (who?.role === "agent") return tenantEntries(db, who.tenant, start, limit);
  if (!who) throw new SiqError("UNAUTHENTICATED", "send Authorization: Bearer <api_key> to read log entries");
  throw new SiqError("FORBIDDEN", "log entries are read with an agent or an auditor key");
}
