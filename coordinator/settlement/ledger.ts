/**
 * Debug mode's settlement: a local ledger of balances per account and
 * currency, in the coordinator's store; no chain is touched. Orders arriving
 * close together are applied in one transaction of a few set-based
 * statements: claim each payment's settlement row (a payment already claimed
 * is never applied again), lock the balances, apply the rules
 * (ledger-rules.ts), write balances, settlements and payments back.
 */
import { Batcher } from "../../lib/batcher.ts";
import type { Queryable, Row } from "../../lib/db.ts";
import type { SettlementFailure, SettlementOrder, SettlementOutcome } from "../../protocol/index.ts";
import { fromBaseUnits } from "./assets.ts";
import { applyLedger, balanceKey, LEDGER_DECIMALS, units, type LedgerItem } from "./ledger-rules.ts";
import { outcomeOf, type SettlementRow, type SettlementStore } from "./store.ts";

export class SimulatedLedger {
  readonly #store: SettlementStore;
  readonly #opening: string;
  readonly #batcher: Batcher<LedgerItem, SettlementOutcome>;

  constructor(store: SettlementStore, openingBalance: string) {
    this.#store = store;
    this.#opening = openingBalance;
    this.#batcher = new Batcher((items) => this.#store.db.tx((q) => this.#apply(q, items)), {
      maxBatch: 512,
      maxInFlight: 1,
    });
  }

  settle(order: SettlementOrder, precheck: SettlementFailure | undefined): Promise<SettlementOutcome> {
    return this.#batcher.push({ order, precheck });
  }

  async balance(account: string, currency: string): Promise<string | undefined> {
    const [r] = await this.#store.db.query<{ b: string } & Row>(
      "SELECT balance::text AS b FROM siq_sim_balances WHERE account = $1 AND currency = $2",
      [account, currency],
    );
    return r ? fromBaseUnits(units(r.b), LEDGER_DECIMALS) : undefined;
  }

  async #apply(q: Queryable, items: LedgerItem[]): Promise<SettlementOutcome[]> {
    const ids = items.map((i) => i.order.payment_id);
    const claimed = await q.query<{ payment_id: string } & Row>(
      `INSERT INTO siq_settlements (payment_id, tenant_id, network, backend, status)
       SELECT id, t, 'simulated', 'simulated', 'sending' FROM unnest($1::text[], $2::text[]) AS v(id, t)
       ON CONFLICT (payment_id) DO NOTHING RETURNING payment_id`,
      [ids, items.map((i) => i.order.tenant_id)],
    );
    const fresh = new Set(claimed.map((r) => r.payment_id));
    const earlier = new Map<string, SettlementOutcome>();
    const old = ids.filter((id) => !fresh.has(id));
    if (old.length > 0) {
      for (const r of await q.query<SettlementRow & Row>(
        "SELECT * FROM siq_settlements WHERE payment_id = ANY($1::text[])",
        [old],
      )) {
        const o = outcomeOf(r);
        if (o) earlier.set(r.payment_id, o);
      }
    }
    const todo = items.filter((i) => fresh.has(i.order.payment_id));
    const outcomes = todo.length > 0 ? await this.#applyFresh(q, todo) : new Map<string, SettlementOutcome>();
    return ids.map((id) => outcomes.get(id) ?? earlier.get(id) ?? unknownState(id));
  }

  async #applyFresh(q: Queryable, todo: LedgerItem[]): Promise<Map<string, SettlementOutcome>> {
    const keys = [
      ...new Set(
        todo
          .filter((i) => !i.precheck)
          .flatMap((i) => [
            balanceKey(i.order.sender, i.order.currency),
            balanceKey(i.order.receiver, i.order.currency),
          ]),
      ),
    ];
    const accounts = keys.map((k) => k.split("\n")[0]!);
    const currencies = keys.map((k) => k.split("\n")[1]!);
    const balances = new Map<string, bigint>();
    if (keys.length > 0) {
      await q.query(
        `INSERT INTO siq_sim_balances (account, currency, balance) SELECT a, c, $3::numeric FROM unnest($1::text[], $2::text[]) AS v(a, c)
         ON CONFLICT (account, currency) DO NOTHING`,
        [accounts, currencies, this.#opening],
      );
      const rows = await q.query<{ account: string; currency: string; b: string } & Row>(
        `SELECT b.account, b.currency, b.balance::text AS b FROM siq_sim_balances b
         JOIN unnest($1::text[], $2::text[]) AS v(a, c) ON b.account = v.a AND b.currency = v.c FOR UPDATE OF b`,
        [accounts, currencies],
      );
      for (const r of rows) balances.set(balanceKey(r.account, r.currency), units(r.b));
    }
    const outcomes = applyLedger(balances, todo, units(this.#opening), new Date());
    if (keys.length > 0) {
      await q.query(
        `UPDATE siq_sim_balances AS b SET balance = v.n::numeric FROM unnest($1::text[], $2::text[], $3::text[]) AS v(a, c, n)
         WHERE b.account = v.a AND b.currency = v.c`,
        [accounts, currencies, keys.map((k) => fromBaseUnits(balances.get(k)!, LEDGER_DECIMALS))],
      );
    }
    const list = [...outcomes.values()];
    const col = <T>(f: (o: SettlementOutcome) => T) => list.map(f);
    const errs = col((o) => (o.error_details ? JSON.stringify(o.error_details) : null));
    await q.query(
      `WITH s AS (
         UPDATE siq_settlements AS s SET status = v.st, transaction_hash = v.h, error_details = v.e::jsonb, settled_at = v.at::timestamptz, updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS v(id, st, h, e, at)
         WHERE s.payment_id = v.id AND s.status = 'sending' RETURNING s.payment_id)
       UPDATE siq_payments AS p SET status = v.st, settlement = v.se::jsonb, error_details = v.e::jsonb, updated_at = now()
       FROM unnest($1::text[], $2::text[], $6::text[], $4::text[]) AS v(id, st, se, e)
       WHERE p.payment_id = v.id AND p.status = 'approved' AND p.payment_id IN (SELECT payment_id FROM s)`,
      [
        col((o) => o.payment_id),
        col((o) => o.status),
        col((o) => o.settlement.transaction_hash ?? null),
        errs,
        col((o) => o.settlement.settled_at ?? null),
        col((o) => JSON.stringify(o.settlement)),
      ],
    );
    return outcomes;
  }
}

function unknownState(id: string): never {
  throw new Error(`settlement ${id} is claimed but not final; it was not settled by the simulated ledger`);
}
