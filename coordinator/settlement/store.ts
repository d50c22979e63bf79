/**
 * Settlement rows, one per payment. The signature of each transaction is
 * recorded (compare-and-set on the previous one) before it is sent; the final
 * state and the payment's status change in one statement. Calls arriving
 * close together share a statement (store-sql.ts).
 */
import { Batcher } from "../../lib/batcher.ts";
import type { Db, Row } from "../../lib/db.ts";
import type { PaymentRequest, SettlementOrder, SettlementOutcome } from "../../protocol/index.ts";
import type { SignedTx } from "./chain.ts";
import type { TxLayout } from "./classify.ts";
import { loadPayments, type StoredPayment } from "./guard.ts";
import { finishMany, getMany, recordFirst, recordNext, type Final, type FirstTx } from "./store-sql.ts";

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
  readonly #gets: Batcher<string, SettlementRow | undefined>;
  readonly #firsts: Batcher<FirstTx, boolean>;
  readonly #finals: Batcher<Final, boolean>;
  readonly #payments: Batcher<string, StoredPayment | undefined>;

  constructor(db: Db) {
    this.#db = db;
    const opts = { maxBatch: 256, maxInFlight: 2 };
    this.#gets = new Batcher((ids) => getMany(db, ids), opts);
    this.#firsts = new Batcher((items) => recordFirst(db, items), opts);
    this.#finals = new Batcher((items) => finishMany(db, items), opts);
    this.#payments = new Batcher((ids) => loadPayments(db, ids), opts);
  }

  /** The stored payment an order names (the settler believes nothing else of the order). */
  payment(paymentId: string): Promise<StoredPayment | undefined> {
    return this.#payments.push(paymentId);
  }

  get db(): Db {
    return this.#db;
  }

  get(paymentId: string): Promise<SettlementRow | undefined> {
    return this.#gets.push(paymentId);
  }

  /**
   * Records a transaction before it is sent: the first one opens the row, a later one replaces
   * `previous` (compare-and-set). False means another attempt got there first.
   */
  recordTx(
    order: SettlementOrder,
    backend: string,
    previous: string | null,
    tx: SignedTx,
    layout: TxLayout,
  ): Promise<boolean> {
    if (previous === null) return this.#firsts.push({ order, backend, tx, layout });
    return recordNext(this.#db, order.payment_id, previous, tx, layout);
  }

  /** Final state for the settlement and the payment, together. False when it was already final. */
  finish(outcome: SettlementOutcome, order: SettlementOrder, backend: string): Promise<boolean> {
    return this.#finals.push({ outcome, order, backend });
  }

  /** Approved payments whose settlement has not finished (for start-up recovery). */
  async unsettled(): Promise<SettlementOrder[]> {
    const rows = await this.#db.query<
      {
        payment_id: string;
        tenant_id: string;
        payment_digest: string;
        request: PaymentRequest;
        decided_at: Date | string | null;
      } & Row
    >(
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
    agent_id: p.request.agent_id,
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
