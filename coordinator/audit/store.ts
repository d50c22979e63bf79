/**
 * The audit registry's tables: one row per code hash (its current state and
 * the submitted source), and which tenants submitted it. Every change to a
 * row is written inside the log sequencer's transaction, beside its entry.
 */
import type { Db, Queryable, Row } from "../../lib/db.ts";
import { AuditLogEntry, type AuditRecord, type AuditState } from "../../protocol/index.ts";

const STATEMENTS = [
  // What agents submitted: the normalised source by hash (content-addressed, so writing it twice is harmless).
  `CREATE TABLE IF NOT EXISTS siq_audit_sources (
     code_hash  text PRIMARY KEY,
     name       text NOT NULL,
     source     text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE IF NOT EXISTS siq_audit_submitters (
     code_hash  text NOT NULL REFERENCES siq_audit_sources (code_hash),
     tenant_id  text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (code_hash, tenant_id)
   )`,
  `CREATE INDEX IF NOT EXISTS siq_audit_submitters_tenant ON siq_audit_submitters (tenant_id, code_hash)`,
  // The registry: a projection of the log's sentineliq.audit.v1 entries, written as they are integrated.
  `CREATE TABLE IF NOT EXISTS siq_audit_code (
     code_hash  text PRIMARY KEY,
     name       text NOT NULL,
     state      text NOT NULL CHECK (state IN ('pending', 'approved', 'revoked')),
     note       text,
     log_index  bigint NOT NULL,
     created_at timestamptz NOT NULL,
     updated_at timestamptz NOT NULL
   )`,
];

export async function migrateAudit(db: Db): Promise<void> {
  for (const sql of STATEMENTS) await db.query(sql);
}

export interface AuditRow {
  code_hash: string;
  name: string;
  source: string;
  state: AuditState;
  note: string | null;
  log_index: string | number;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface ListOptions {
  /** Only hashes this tenant submitted (agents); all when undefined (auditors). */
  tenant?: string | undefined;
  state?: AuditState | undefined;
  after?: string | undefined;
  limit: number;
}

export class AuditStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async get(codeHash: string, q: Queryable = this.#db): Promise<AuditRow | undefined> {
    const rows = await q.query<AuditRow & Row>(
      "SELECT c.*, s.source FROM siq_audit_code c JOIN siq_audit_sources s USING (code_hash) WHERE c.code_hash = $1",
      [codeHash],
    );
    return rows[0];
  }

  async submittedBy(codeHash: string, tenant: string): Promise<boolean> {
    const rows = await this.#db.query("SELECT 1 FROM siq_audit_submitters WHERE code_hash = $1 AND tenant_id = $2", [
      codeHash,
      tenant,
    ]);
    return rows.length > 0;
  }

  /** Records that a tenant submitted a known hash; true if it had not before. */
  async addSubmitter(codeHash: string, tenant: string, q: Queryable = this.#db): Promise<boolean> {
    const rows = await q.query(
      "INSERT INTO siq_audit_submitters (code_hash, tenant_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
      [codeHash, tenant],
    );
    return rows.length > 0;
  }

  /** Keeps a submitted source (before its log entry is appended; a source without an entry is never shown). */
  async saveSource(codeHash: string, name: string, source: string): Promise<void> {
    await this.#db.query(
      "INSERT INTO siq_audit_sources (code_hash, name, source) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
      [codeHash, name, source],
    );
  }

  async list(o: ListOptions): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace("?", `$${params.length}`));
    };
    if (o.tenant !== undefined)
      add("code_hash IN (SELECT code_hash FROM siq_audit_submitters WHERE tenant_id = ?)", o.tenant);
    if (o.state) add("state = ?", o.state);
    if (o.after) add("code_hash > ?", o.after);
    params.push(o.limit);
    const sql = `SELECT c.*, '' AS source FROM siq_audit_code c ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY code_hash LIMIT $${params.length}`;
    return this.#db.query<AuditRow & Row>(sql, params);
  }

  /** Every row, for re-publishing the registry on the bus at start-up. */
  async all(): Promise<AuditRow[]> {
    return this.#db.query<AuditRow & Row>("SELECT c.*, '' AS source FROM siq_audit_code c ORDER BY code_hash");
  }
}

export function toRecord(r: AuditRow, withSource: boolean): AuditRecord {
  const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
  const rec: AuditRecord = {
    code_hash: r.code_hash,
    name: r.name,
    state: r.state,
    log_index: Number(r.log_index),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
  if (withSource) rec.source = r.source;
  if (r.note !== null) rec.note = r.note;
  return rec;
}

/**
 * Applies integrated `sentineliq.audit.v1` entries to the registry, inside the
 * log's transaction; returns the hashes it changed. A change applies only from
 * the state the entry names, so the table always agrees with a replay of the log.
 */
export async function projectAuditEntries(
  q: Queryable,
  entries: { entry: Buffer; index: number }[],
): Promise<string[]> {
  const changed: string[] = [];
  for (const { entry, index } of [...entries].sort((a, b) => a.index - b.index)) {
    const parsed = AuditLogEntry.safeParse(JSON.parse(entry.toString("utf8")));
    if (!parsed.success) continue;
    const e = parsed.data;
    const rows =
      e.action === "submit"
        ? await q.query(
            `INSERT INTO siq_audit_code (code_hash, name, state, log_index, created_at, updated_at)
             VALUES ($1, $2, 'pending', $3, $4::timestamptz, $4::timestamptz) ON CONFLICT DO NOTHING RETURNING 1`,
            [e.code_hash, e.name, index, e.at],
          )
        : await q.query(
            `UPDATE siq_audit_code SET state = $2, note = $3, log_index = $4, updated_at = $5::timestamptz
             WHERE code_hash = $1 AND state = $6 RETURNING 1`,
            [e.code_hash, e.to, e.note ?? null, index, e.at, e.from],
          );
    if (rows.length > 0) changed.push(e.code_hash);
  }
  return changed;
}
