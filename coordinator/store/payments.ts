/** Payment rows: batched insert-or-get for submission, reads for the API. */
import { Batcher } from "../../lib/batcher.ts";
import type { Db, Row } from "../../lib/db.ts";
import type {
  Challenge,
  Evidence,
  PaymentRequest,
  PaymentStatus,
  PaymentView,
  ReasonSummary,
  Settlement,
} from "../../protocol/index.ts";

export interface NewPayment {
  payment_id: string;
  tenant_id: string;
  request: PaymentRequest;
  request_hash: string;
  payment_digest: string;
  created_at: string;
}

export interface PaymentRow {
  payment_id: string;
  tenant_id: string;
  agent_id: string;
  idempotency_key: string;
  request_hash: string;
  request: PaymentRequest;
  payment_digest: string;
  status: PaymentStatus;
  attempt: number;
  risk_level: PaymentView["risk_level"] | null;
  decision: PaymentView["decision"] | null;
  reasons: ReasonSummary[];
  settlement: Settlement | null;
  error_details: PaymentView["error_details"] | null;
  challenge: Challenge | null;
  evidence: Evidence | null;
  log_index: string | number | null;
  created_at: Date | string;
  decided_at: Date | string | null;
}

export class PaymentStore {
  readonly #db: Db;
  readonly #inserts: Batcher<NewPayment, PaymentRow>;

  constructor(db: Db) {
    this.#db = db;
    this.#inserts = new Batcher((items) => this.#insertBatch(items), { maxBatch: 256, maxInFlight: 2 });
  }

  /** Inserts the payment, or returns the row already stored under its idempotency key. */
  insertOrGet(p: NewPayment): Promise<PaymentRow> {
    return this.#inserts.push(p);
  }

  async get(tenantId: string, paymentId: string): Promise<PaymentRow | undefined> {
    const rows = await this.#db.query<PaymentRow & Row>(
      "SELECT * FROM siq_payments WHERE payment_id = $1 AND tenant_id = $2",
      [paymentId, tenantId],
    );
    return rows[0];
  }

  async delete(paymentId: string): Promise<void> {
    await this.#db.query("DELETE FROM siq_payments WHERE payment_id = $1 AND status = 'evaluating'", [paymentId]);
  }

  async unfinished(): Promise<PaymentRow[]> {
    return this.#db.query<PaymentRow & Row>(
      "SELECT * FROM siq_payments WHERE status = 'evaluating' ORDER BY created_at",
    );
  }

  async #insertBatch(items: NewPayment[]): Promise<PaymentRow[]> {
    const col = <T>(f: (p: NewPayment) => T) => items.map(f);
    const inserted = await this.#db.query<{ payment_id: string } & Row>(
      `INSERT INTO siq_payments (payment_id, tenant_id, agent_id, idempotency_key, request_hash, request,
                                 payment_digest, status, created_at, updated_at)
       SELECT id, t, a, k, h, r::jsonb, d, 'evaluating', c::timestamptz, c::timestamptz
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
            AS v(id, t, a, k, h, r, d, c)
       ON CONFLICT (tenant_id, agent_id, idempotency_key) DO NOTHING
       RETURNING payment_id`,
      [
        col((p) => p.payment_id),
        col((p) => p.tenant_id),
        col((p) => p.request.agent_id),
        col((p) => p.request.idempotency_key),
        col((p) => p.request_hash),
        col((p) => JSON.stringify(p.request)),
        col((p) => p.payment_digest),
        col((p) => p.created_at),
      ],
    );
    const fresh = new Set(inserted.map((r) => r.payment_id));
    const clashes = items.filter((p) => !fresh.has(p.payment_id));
    const existing = new Map<string, PaymentRow>();
    if (clashes.length > 0) {
      const rows = await this.#db.query<PaymentRow & Row>(
        `SELECT p.* FROM siq_payments p
         JOIN unnest($1::text[], $2::text[], $3::text[]) AS v(t, a, k)
           ON p.tenant_id = v.t AND p.agent_id = v.a AND p.idempotency_key = v.k`,
        [
          clashes.map((p) => p.tenant_id),
          clashes.map((p) => p.request.agent_id),
          clashes.map((p) => p.request.idempotency_key),
        ],
      );
      for (const r of rows) existing.set(`${r.tenant_id}\n${r.agent_id}\n${r.idempotency_key}`, r);
    }
    return items.map((p) =>
      fresh.has(p.payment_id)
        ? newRow(p)
        : (existing.get(`${p.tenant_id}\n${p.request.agent_id}\n${p.request.idempotency_key}`) ?? newRow(p)),
    );
  }
}

function newRow(p: NewPayment): PaymentRow {
  return {
    payment_id: p.payment_id,
    tenant_id: p.tenant_id,
    agent_id: p.request.agent_id,
    idempotency_key: p.request.idempotency_key,
    request_hash: p.request_hash,
    request: p.request,
    payment_digest: p.payment_digest,
    status: "evaluating",
    attempt: 1,
    risk_level: null,
    decision: null,
    reasons: [],
    settlement: null,
    error_details: null,
    challenge: null,
    evidence: null,
    log_index: null,
    created_at: p.created_at,
    decided_at: null,
  };
}

export function toView(r: PaymentRow, verdicts?: unknown[]): PaymentView {
  const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());
  const view: PaymentView = {
    payment_id: r.payment_id,
    idempotency_key: r.idempotency_key,
    agent_id: r.agent_id,
    status: r.status,
    reasons: r.reasons,
    payment_digest: r.payment_digest,
    created_at: iso(r.created_at),
  };
  if (r.risk_level) view.risk_level = r.risk_level;
  if (r.decision) view.decision = r.decision;
  if (r.challenge && r.status === "challenged") {
    const { challenge_id, kind, requested, nonce, expires_at, attempt } = r.challenge;
    view.challenge = { challenge_id, kind, requested, nonce, expires_at, attempt };
  }
  if (r.attempt > 1) view.attempt = r.attempt;
  if (r.settlement) view.settlement = r.settlement;
  if (r.error_details) view.error_details = r.error_details;
  if (r.log_index !== null) view.log_index = Number(r.log_index);
  if (r.decided_at) view.decided_at = iso(r.decided_at);
  if (verdicts) view.verdicts = verdicts;
  return view;
}
