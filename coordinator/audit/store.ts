/**
 * The audit registry's tables: one row per code hash (its current state and
 * the submitted source), and which tenants submitted it. Every change to a
 * row is written inside the log sequencer's transaction, beside its entry.
 */
import type { Db, Queryable, Row } from "../../lib/db.ts";
import type { AuditRecord, AuditState } from "../../protocol/index.ts";

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS siq_audit_code (
     code_hash  text PRIMARY KEY,
     name       text NOT NULL,
     source     text NOT NULL,
     state      text NOT NULL CHECK (state IN ('pending', 'approved', 'revoked')),
     note       text,
     log_index  bigint NOT NULL,
     created_at timestamptz NOT NULL,
     updated_at timestamptz NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS siq_audit_submitters (
     code_hash  text NOT NULL REFERENCES siq_audit_code (code_hash),
     tenant_id  text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (code_hash, tenant_id)
   )`,
  `CREATE INDEX IF NOT EXISTS siq_audit_submitters_tenant ON siq_audit_submitters (tenant_id, code_hash)`,
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
    const rows = await q.query<AuditRow & Row>("SELECT * FROM siq_audit_code WHERE code_hash = $1", [codeHash]);
    return rows[0];
  }

  async submittedBy(codeHash: string, tenant: string): Promise<boolean> {
    const rows = await this.#db.query("SELECT 1 FROM siq_audit_submitters WHERE code_hash = $1 AND tenant_id = $2", [codeHash, tenant]);
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

  async insert(q: Queryable, r: { code_hash: string; name: string; source: string; at: string }, logIndex: number): Promise<void> {
    await q.query(
      `INSERT INTO siq_audit_code (code_hash, name, source, state, log_index, created_at, updated_at)
       VALUES ($1, $2, $3, 'pending', $4, $5::timestamptz, $5::timestamptz)`,
      [r.code_hash, r.name, r.source, logIndex, r.at],
    );
  }

  async setState(q: Queryable, codeHash: string, state: AuditState, note: string | null, logIndex: number, at: string): Promise<void> {
    await q.query("UPDATE siq_audit_code SET state = $2, note = $3, log_index = $4, updated_at = $5::timestamptz WHERE code_hash = $1", [
      codeHash,
      state,
      note,
      logIndex,
      at,
    ]);
  }

  async list(o: ListOptions): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace("?", `$${params.length}`));
    };
    if (o.tenant !== undefined) add("code_hash IN (SELECT code_hash FROM siq_audit_submitters WHERE tenant_id = ?)", o.tenant);
    if (o.state) add("state = ?", o.state);
    if (o.after) add("code_hash > ?", o.after);
    params.push(o.limit);
    const sql = `SELECT * FROM siq_audit_code ${where.length ? "WHERE " + where.join(" AND ") : ""} ORDER BY code_hash LIMIT $${params.length}`;
    return this.#db.query<AuditRow & Row>(sql, params);
  }

  /** Every row, for re-publishing the registry on the bus at start-up. */
  async all(): Promise<AuditRow[]> {
    return this.#db.query<AuditRow & Row>("SELECT * FROM siq_audit_code ORDER BY code_hash");
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
