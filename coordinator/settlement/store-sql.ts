/**
 * The settlement store's set-based statements: each takes a batch of items
 * (gathered by store.ts) and runs as one statement, so concurrent settlements
 * share round trips. Every statement is safe to repeat.
 */
import type { Queryable, Row } from "../../lib/db.ts";
import type { SettlementOrder, SettlementOutcome } from "../../protocol/index.ts";
import type { SignedTx } from "./chain.ts";
import type { TxLayout } from "./classify.ts";
import type { SettlementRow } from "./store.ts";

export interface FirstTx {
  order: SettlementOrder;
  backend: string;
  tx: SignedTx;
  layout: TxLayout;
}

export interface Final {
  outcome: SettlementOutcome;
  order: SettlementOrder;
  backend: string;
}

export async function getMany(q: Queryable, ids: string[]): Promise<(SettlementRow | undefined)[]> {
  const rows = await q.query<SettlementRow & Row>("SELECT * FROM siq_settlements WHERE payment_id = ANY($1::text[])", [
    ids,
  ]);
  const by = new Map(rows.map((r) => [r.payment_id, r]));
  return ids.map((id) => by.get(id));
}

/** Opens each payment's row with its first transaction; true where this item's transaction was the one recorded. */
export async function recordFirst(q: Queryable, items: FirstTx[]): Promise<boolean[]> {
  const col = <T>(f: (i: FirstTx) => T) => items.map(f);
  const rows = await q.query<{ payment_id: string; signature: string } & Row>(
    `WITH s AS (
       INSERT INTO siq_settlements (payment_id, signature, wire, blockhash, last_valid_block_height, layout, builds, tenant_id, network, backend, status)
       SELECT id, sig, w, bh, lv::bigint, l::jsonb, 1, t, 'solana', b, 'sending'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS v(id, sig, w, bh, lv, l, t, b)
       ON CONFLICT (payment_id) DO NOTHING RETURNING payment_id, signature, blockhash)
     INSERT INTO siq_settlement_txs (signature, payment_id, blockhash) SELECT signature, payment_id, blockhash FROM s
     RETURNING payment_id, signature`,
    [
      col((i) => i.order.payment_id),
      col((i) => i.tx.signature),
      col((i) => i.tx.wire),
      col((i) => i.tx.blockhash),
      col((i) => i.tx.lastValidBlockHeight.toString()),
      col((i) => JSON.stringify(i.layout)),
      col((i) => i.order.tenant_id),
      col((i) => i.backend),
    ],
  );
  const won = new Set(rows.map((r) => `${r.payment_id} ${r.signature}`));
  return items.map((i) => won.has(`${i.order.payment_id} ${i.tx.signature}`));
}

/** Replaces the recorded transaction, only where it is still `previous` (compare-and-set). */
export async function recordNext(
  q: Queryable,
  paymentId: string,
  previous: string,
  tx: SignedTx,
  layout: TxLayout,
): Promise<boolean> {
  const rows = await q.query(
    `WITH s AS (
       UPDATE siq_settlements SET signature = $2, wire = $3, blockhash = $4, last_valid_block_height = $5::bigint, layout = $6::jsonb,
              builds = builds + 1, updated_at = now()
       WHERE payment_id = $1 AND status = 'sending' AND signature = $7 RETURNING payment_id, signature, blockhash)
     INSERT INTO siq_settlement_txs (signature, payment_id, blockhash) SELECT signature, payment_id, blockhash FROM s RETURNING payment_id`,
    [
      paymentId,
      tx.signature,
      tx.wire,
      tx.blockhash,
      tx.lastValidBlockHeight.toString(),
      JSON.stringify(layout),
      previous,
    ],
  );
  return rows.length > 0;
}

/** Final states for settlements and their payments; true where this item made the row final. */
export async function finishMany(q: Queryable, items: Final[]): Promise<boolean[]> {
  // One item per payment in a statement (an upsert may touch a row once); a repeat simply loses.
  const first = new Map<string, Final>();
  for (const i of items) if (!first.has(i.outcome.payment_id)) first.set(i.outcome.payment_id, i);
  const list = [...first.values()];
  const col = <T>(f: (i: Final) => T) => list.map(f);
  const rows = await q.query<{ payment_id: string } & Row>(
    `WITH v AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         AS v(id, t, n, b, st, h, e, at, se)),
     s AS (
       INSERT INTO siq_settlements (payment_id, tenant_id, network, backend, status, transaction_hash, error_details, settled_at)
       SELECT id, t, n, b, st, h, e::jsonb, at::timestamptz FROM v
       ON CONFLICT (payment_id) DO UPDATE SET status = EXCLUDED.status, transaction_hash = EXCLUDED.transaction_hash,
         error_details = EXCLUDED.error_details, settled_at = EXCLUDED.settled_at, updated_at = now()
       WHERE siq_settlements.status = 'sending'
       RETURNING payment_id),
     p AS (
       UPDATE siq_payments AS p SET status = v.st, settlement = v.se::jsonb, error_details = v.e::jsonb, updated_at = now()
       FROM v WHERE p.payment_id = v.id AND p.status = 'approved' AND p.payment_id IN (SELECT payment_id FROM s))
     SELECT payment_id FROM s`,
    [
      col((i) => i.outcome.payment_id),
      col((i) => i.order.tenant_id),
      col((i) => i.outcome.settlement.network),
      col((i) => i.backend),
      col((i) => i.outcome.status),
      col((i) => i.outcome.settlement.transaction_hash ?? null),
      col((i) => (i.outcome.error_details ? JSON.stringify(i.outcome.error_details) : null)),
      col((i) => i.outcome.settlement.settled_at ?? null),
      col((i) => JSON.stringify(i.outcome.settlement)),
    ],
  );
  const done = new Set(rows.map((r) => r.payment_id));
  return items.map((i) => first.get(i.outcome.payment_id) === i && done.has(i.outcome.payment_id));
}
