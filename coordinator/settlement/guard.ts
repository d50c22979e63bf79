/**
 * What the settler believes of an order: nothing but the payment id. The
 * payment is loaded from the store and must be `approved` (with the order's
 * digest); the order it settles is rebuilt from the STORED sender, receiver,
 * amount and currency, never the copies the bus carried.
 */
import type { Queryable, Row } from "../../lib/db.ts";
import type { BusRefusalCode, PaymentRequest, SettlementOrder } from "../../protocol/index.ts";
import { orderFor } from "./store.ts";

export interface StoredPayment {
  payment_id: string;
  tenant_id: string;
  payment_digest: string;
  status: string;
  request: PaymentRequest;
}

export type Admitted = { order: SettlementOrder } | { done: true } | { refused: BusRefusalCode; reason: string };

export async function loadPayments(q: Queryable, ids: string[]): Promise<(StoredPayment | undefined)[]> {
  const rows = await q.query<StoredPayment & Row>(
    "SELECT payment_id, tenant_id, payment_digest, status, request FROM siq_payments WHERE payment_id = ANY($1::text[])",
    [ids],
  );
  const by = new Map(rows.map((r) => [r.payment_id, r]));
  return ids.map((id) => by.get(id));
}

/** The order to settle, built from the stored payment; `done` when it is already final; or why it is refused. */
export function admitOrder(order: SettlementOrder, stored: StoredPayment | undefined): Admitted {
  if (!stored) return { refused: "UNKNOWN_PAYMENT", reason: `no stored payment ${order.payment_id}` };
  if (stored.payment_digest !== order.payment_digest || stored.tenant_id !== order.tenant_id)
    return { refused: "PAYMENT_NOT_APPROVED", reason: `order for ${order.payment_id} names another digest or tenant` };
  // Settled or failed already: a redelivery after the final state was stored; nothing left to do.
  if (stored.status === "settled" || stored.status === "failed") return { done: true };
  if (stored.status !== "approved")
    return { refused: "PAYMENT_NOT_APPROVED", reason: `payment ${order.payment_id} is ${stored.status}` };
  return { order: orderFor(stored, order.approved_at) };
}
