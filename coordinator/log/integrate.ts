/**
 * One batch into the log, inside one transaction: skip keys already logged
 * (they keep their index), number the new entries, store them with the tiles
 * they touch (a tile only ever grows) and apply each payment's outcome.
 */
import type { Delivery } from "../../lib/bus/index.ts";
import type { Queryable } from "../../lib/db.ts";
import type { LogAppend, TileBuilder } from "../../protocol/index.ts";
import type { OutcomeGuard } from "./guard.ts";

export interface Item {
  key: string;
  type: string;
  entry: Buffer;
  leaf: Buffer;
  payment: LogAppend["payment"];
  paymentId: string | undefined;
  /** With a payment outcome: the attempt and digest the payment must still be evaluating. */
  guard?: OutcomeGuard | undefined;
  delivery: Delivery;
}

/** An item's index in the log, or why its outcome was refused (nothing of it was logged or applied). */
export type Integrated = number | { refused: string };

/**
 * Applies new entries of one type to other tables in the same transaction
 * (e.g. the audit registry from its `sentineliq.audit.v1` entries). It must
 * not throw on an entry it does not understand: skip it.
 */
export type Projection = (q: Queryable, entries: { entry: Buffer; index: number }[]) => Promise<void>;

/**
 * The state guard: a payment outcome applies only to a payment still `evaluating` at the decision's
 * attempt with the decision's digest (locked for the transaction). Returns the refusals by item.
 */
async function guardOutcomes(q: Queryable, items: Item[]): Promise<Map<Item, string>> {
  const guarded = items.filter((i) => i.payment);
  const refused = new Map<Item, string>();
  if (guarded.length === 0) return refused;
  const rows = await q.query<{ payment_id: string; status: string; attempt: number; payment_digest: string }>(
    "SELECT payment_id, status, attempt, payment_digest FROM siq_payments WHERE payment_id = ANY($1::text[]) FOR UPDATE",
    [[...new Set(guarded.map((i) => i.payment!.payment_id))]],
  );
  const open = new Map(rows.filter((r) => r.status === "evaluating").map((r) => [r.payment_id, r]));
  for (const it of guarded) {
    const id = it.payment!.payment_id;
    const row = open.get(id);
    if (!row || !it.guard || row.attempt !== it.guard.attempt || row.payment_digest !== it.guard.digest) {
      refused.set(it, `STATE_GUARD: payment ${id} is not evaluating at this attempt and digest`);
      continue;
    }
    open.delete(id); // one outcome per attempt, even within one batch
  }
  return refused;
}

/** Returns each item's index. `builder` is advanced; the caller keeps it only if the transaction commits. */
export async function integrateBatch(
  q: Queryable,
  builder: TileBuilder,
  items: Item[],
  projections: ReadonlyMap<string, Projection> = new Map(),
): Promise<Integrated[]> {
  const keys = [...new Set(items.map((i) => i.key))];
  const found = await q.query<{ idx: string; entry_key: string }>(
    "SELECT idx, entry_key FROM siq_log_entries WHERE entry_key = ANY($1::text[])",
    [keys],
  );
  const index = new Map(found.map((r) => [r.entry_key, Number(r.idx)]));
  const fresh: Item[] = [];
  const refused = await guardOutcomes(
    q,
    items.filter((i) => !index.has(i.key)),
  );
  for (const it of items) {
    if (index.has(it.key) || refused.has(it)) continue;
    index.set(it.key, builder.size + fresh.length);
    fresh.push(it);
  }
  if (fresh.length > 0) {
    const first = builder.size;
    const touched = builder.append(fresh.map((i) => i.leaf));
    // One statement (data-modifying CTEs): entries, the tiles they touch and the payments' outcomes
    // are written in a single round trip.
    const paid = fresh.filter((i) => i.payment);
    const p = paid.map((i) => i.payment!);
    await q.query(
      `WITH entries AS (
         INSERT INTO siq_log_entries (idx, entry_key, entry_type, payment_id, entry)
         SELECT i, k, t, p, decode(e, 'base64') FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(i, k, t, p, e)
       ), tiles AS (
         INSERT INTO siq_log_tiles (level, n, hashes)
         SELECT l, n, decode(h, 'base64') FROM unnest($6::int[], $7::bigint[], $8::text[]) AS v(l, n, h)
         ON CONFLICT (level, n) DO UPDATE SET hashes = EXCLUDED.hashes
       )
       UPDATE siq_payments AS p
       SET status = v.st, risk_level = v.rl, decision = v.de, reasons = v.re::jsonb, settlement = v.se::jsonb,
           log_index = v.i, decided_at = v.da::timestamptz, error_details = v.ed::jsonb, updated_at = now()
       FROM unnest($9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::text[],
                   $17::text[])
            AS v(id, st, rl, de, re, se, i, da, ed)
       WHERE p.payment_id = v.id`,
      [
        fresh.map((_, j) => first + j),
        fresh.map((i) => i.key),
        fresh.map((i) => i.type),
        fresh.map((i) => i.paymentId ?? null),
        fresh.map((i) => i.entry.toString("base64")),
        touched.map((t) => t.level),
        touched.map((t) => t.n),
        touched.map((t) => Buffer.concat(t.hashes).toString("base64")),
        p.map((o) => o.payment_id),
        p.map((o) => o.status),
        p.map((o) => o.risk_level),
        p.map((o) => o.decision),
        p.map((o) => JSON.stringify(o.reasons)),
        p.map((o) => (o.settlement ? JSON.stringify(o.settlement) : null)),
        paid.map((i) => index.get(i.key)!),
        p.map((o) => o.decided_at),
        p.map((o) => (o.error_details ? JSON.stringify(o.error_details) : null)),
      ],
    );
  }
  for (const [type, project] of projections) {
    const mine = fresh.filter((i) => i.type === type).map((i) => ({ entry: i.entry, index: index.get(i.key)! }));
    if (mine.length > 0) await project(q, mine);
  }
  return items.map((i) => {
    const why = refused.get(i);
    return why !== undefined && !index.has(i.key) ? { refused: why } : index.get(i.key)!;
  });
}
