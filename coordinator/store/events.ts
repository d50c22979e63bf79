/** Event rows: insert-or-get by (tenant, event_id), reads for the API and for recovery. */
import type { Db, Row } from "../../lib/db.ts";
import type { EventDecision, EventRequest, EventView, ReasonSummary } from "../../protocol/index.ts";

export const EVENT_STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS siq_events (
     event_ref     text PRIMARY KEY,
     tenant_id     text NOT NULL,
     event_id      text NOT NULL,
     kind          text NOT NULL,
     request       jsonb NOT NULL,
     request_hash  text NOT NULL,
     event_digest  text NOT NULL,
     status        text NOT NULL,
     risk_level    text,
     decision      text,
     reasons       jsonb NOT NULL DEFAULT '[]',
     log_index     bigint,
     received_at   timestamptz NOT NULL,
     decided_at    timestamptz,
     UNIQUE (tenant_id, event_id)
   )`,
  `CREATE INDEX IF NOT EXISTS siq_events_open ON siq_events (status) WHERE status = 'evaluating'`,
  // The analytics dashboard counts a tenant's events over a window.
  `CREATE INDEX IF NOT EXISTS siq_events_tenant_received ON siq_events (tenant_id, received_at)`,
];

export interface EventRow {
  event_ref: string;
  tenant_id: string;
  event_id: string;
  kind: EventRequest["kind"];
  request: EventRequest;
  request_hash: string;
  event_digest: string;
  status: "evaluating" | "decided";
  risk_level: EventView["risk_level"] | null;
  decision: EventView["decision"] | null;
  reasons: ReasonSummary[];
  log_index: string | number | null;
  received_at: Date | string;
  decided_at: Date | string | null;
}

export class EventStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async migrate(): Promise<void> {
    for (const sql of EVENT_STATEMENTS) await this.#db.query(sql);
  }

  /** Inserts the event, or returns the row already stored for its (tenant, event_id). */
  async insertOrGet(row: EventRow): Promise<{ row: EventRow; fresh: boolean }> {
    const inserted = await this.#db.query(
      `INSERT INTO siq_events (event_ref, tenant_id, event_id, kind, request, request_hash, event_digest, status, received_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, 'evaluating', $8::timestamptz)
       ON CONFLICT (tenant_id, event_id) DO NOTHING RETURNING event_ref`,
      [
        row.event_ref,
        row.tenant_id,
        row.event_id,
        row.kind,
        JSON.stringify(row.request),
        row.request_hash,
        row.event_digest,
        row.received_at,
      ],
    );
    if (inserted.length > 0) return { row, fresh: true };
    const existing = await this.get(row.tenant_id, row.event_id);
    return { row: existing!, fresh: false };
  }

  /** Records the event's logged decision on its row. */
  async decide(ref: string, d: EventDecision, logIndex: number): Promise<void> {
    await this.#db.query(
      `UPDATE siq_events SET status = 'decided', risk_level = $2, decision = $3, reasons = $4::jsonb, log_index = $5, decided_at = $6::timestamptz
       WHERE event_ref = $1`,
      [ref, d.risk_level, d.decision, JSON.stringify(d.reasons), logIndex, d.decided_at],
    );
  }

  async get(tenantId: string, eventId: string): Promise<EventRow | undefined> {
    const rows = await this.#db.query<EventRow & Row>(
      "SELECT * FROM siq_events WHERE tenant_id = $1 AND event_id = $2",
      [tenantId, eventId],
    );
    return rows[0];
  }

  async unfinished(): Promise<EventRow[]> {
    return this.#db.query<EventRow & Row>("SELECT * FROM siq_events WHERE status = 'evaluating' ORDER BY received_at");
  }
}

export function eventView(r: EventRow): EventView {
  const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());
  const view: EventView = {
    event_id: r.event_id,
    event_ref: r.event_ref,
    kind: r.kind,
    status: r.status,
    reasons: r.reasons,
    received_at: iso(r.received_at),
  };
  if (r.risk_level) view.risk_level = r.risk_level;
  if (r.decision) view.decision = r.decision;
  if (r.log_index !== null) view.log_index = Number(r.log_index);
  if (r.decided_at) view.decided_at = iso(r.decided_at);
  return view;
}
