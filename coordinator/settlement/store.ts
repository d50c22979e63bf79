/**
 * Settlement rows. A row is opened once per payment; the signature of each
 * transaction is recorded (compare-and-set on the previous one) before it is
 * sent; the final state and the payment's status change in one transaction.
 */
import type { Db, Queryable, Row } from "../../lib/db.ts";
import type { PaymentRequest, SettlementOrder, SettlementOutcome } from "../../protocol/index.ts";
import type { SignedTx } from "./chain.ts";
import type { TxLayout } from "./classify.ts";

export interface SettlementRow {
  payment_id: string;
  tenant_id: string;
  network: "simulated" | "solana";
  backend: string;
  status: "sending" | "settled" | "failed";
  signature: string | null;
  wire: string | null;
  blockhash: string | null;
  layout: TxLayout | null;
  builds: number;
  transaction_hash: string | null;
  error_details: SettlementOutcome["error_details"] | null;
  settled_at: Date | string | null;
}

export class SettlementStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  get db(): Db {
    return this.#db;
  }

  async get(paymentId: string, q: Queryable = this.#db): Promise<SettlementRow | undefined> {
    const rows = await q.query<SettlementRow & Row>("SELECT * FROM siq_settlements WHERE payment_id = $1", [paymentId]);
    return rows[0];
  }

  /** The payment's row, opened now if it has none. */
  async open(order: SettlementOrder, network: SettlementRow["network"], backend: string, q: Queryable = this.#db): Promise<SettlementRow> {
    await q.query(
      `INSERT INTO siq_settlements (payment_id, tenant_id, network, backend, status) VALUES ($1, $2, $3, $4, 'sending')
       ON CONFLICT (payment_id) DO NOTHING`,
      [order.payment_id, order.tenant_id, network, backend],
    );
    return (await this.get(order.payment_id, q))!;
  }

  /** Records a new transaction, only if the row still holds `previous`; false means another attempt got there first. */
  async recordTx(paymentId: string, previous: string | null, tx: SignedTx, layout: TxLayout): Promise<boolean> {
    return this.#db.tx(async (q) => {
      const done = await q.query(
        `UPDATE siq_settlements SET signature = $2, wire = $3, blockhash = $4, last_valid_block_height = $5, layout = $6::jsonb,
                builds = builds + 1, updated_at = now()
         WHERE payment_id = $1 AND status = 'sending' AND signature IS NOT DISTINCT FROM $7
         RETURNING payment_id`,
        [paymentId, tx.signature, tx.wire, tx.blockhash, tx.lastValidBlockHeight.toString(), JSON.stringify(layout), previous],
      );
      if (done.length === 0) return false;
      await q.query("INSERT INTO siq_settlement_txs (signature, payment_id, blockhash) VALUES ($1, $2, $3)", [tx.signature, paymentId, tx.blockhash]);
      return true;
    });
  }

  /** Final state for the settlement and the payment, together. False when it was already final. */
  async finish(o: SettlementOutcome, q?: Queryable): Promise<boolean> {
    const run = async (t: Queryable) => {
      const hash = o.settlement.transaction_hash ?? null;
      const err = o.error_details ? JSON.stringify(o.error_details) : null;
      const moved = await t.query(
        `UPDATE siq_settlements SET status = $2, transaction_hash = $3, error_details = $4::jsonb, settled_at = $5::timestamptz, updated_at = now()
         WHERE payment_id = $1 AND status = 'sending' RETURNING payment_id`,
        [o.payment_id, o.status, hash, err, o.settlement.settled_at ?? null],
      );
      if (moved.length === 0) return false;
      await t.query(
        `UPDATE siq_payments SET status = $2, settlement = $3::jsonb, error_details = $4::jsonb, updated_at = now()
         WHERE payment_id = $1 AND status = 'approved'`,
        [o.payment_id, o.status, JSON.stringify(o.settlement), err],
      );
      return true;
    };
    return q ? run(q) : this.#db.tx(run);
  }

  /** Approved payments whose settlement has not finished (for start-up recovery). */
  async unsettled(): Promise<SettlementOrder[]> {
    const rows = await this.#db.query<{ payment_id: string; tenant_id: string; payment_digest: string; request: PaymentRequest; decided_at: Date | string | null } & Row>(
      "SELECT payment_id, tenant_id, payment_digest, request, decided_at FROM siq_payments WHERE status = 'approved' ORDER BY created_at",
    );
    return rows.map((r) => orderFor(r, r.decided_at ?? new Date()));
  }
}

export function orderFor(
  p: { payment_id: string; tenant_id: string; payment_digest: string; request: PaymentRequest },
  approvedAt: Date | string,
): SettlementOrder {
  return {
    type: "sentineliq.settle.v1",
    payment_id: p.payment_id,
    tenant_id: p.tenant_id,
    payment_digest: p.payment_digest,
    sender: p.request.sender,
    receiver: p.request.receiver,
    amount: p.request.amount,
    currency: p.request.currency,
    debug_mode: p.request.debug_mode,
    approved_at: new Date(approvedAt).toISOString(),
  };
}

/** The outcome a final row stands for (a redelivered order answers with it). */
export function outcomeOf(r: SettlementRow): SettlementOutcome | undefined {
  if (r.status === "sending") return undefined;
  const settlement: SettlementOutcome["settlement"] = { network: r.network };
  if (r.transaction_hash) settlement.transaction_hash = r.transaction_hash;
  if (r.settled_at) settlement.settled_at = new Date(r.settled_at).toISOString();
  const o: SettlementOutcome = { payment_id: r.payment_id, status: r.status, settlement };
  if (r.error_details) o.error_details = r.error_details;
  return o;
}
