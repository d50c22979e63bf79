/**
 * Debug mode's settlement: a local ledger of balances, per account and
 * currency, in the coordinator's store. No chain is touched. The full rules
 * apply (the sender must hold the amount); an account seen for the first
 * time opens with a configured balance. The settlement row, both balances and
 * the payment's status change in one transaction, keyed by payment, so a
 * redelivered order moves nothing twice.
 */
import type { Row } from "../../lib/db.ts";
import { settlementFailure, type SettlementOrder, type SettlementOutcome } from "../../protocol/index.ts";
import { simulateSettlement } from "./simulated.ts";
import { outcomeOf, type SettlementStore } from "./store.ts";

export class SimulatedLedger {
  readonly #store: SettlementStore;
  readonly #opening: string;

  constructor(store: SettlementStore, openingBalance: string) {
    this.#store = store;
    this.#opening = openingBalance;
  }

  settle(order: SettlementOrder, precheck: SettlementOutcome["error_details"] | undefined, now = new Date()): Promise<SettlementOutcome> {
    return this.#store.db.tx(async (q) => {
      const row = await this.#store.open(order, "simulated", "simulated", q);
      const already = outcomeOf(row);
      if (already) return already;
      const { payment_id: id, sender, receiver, currency, amount } = order;
      let outcome: SettlementOutcome;
      if (precheck) {
        outcome = { payment_id: id, status: "failed", settlement: { network: "simulated" }, error_details: precheck };
      } else {
        await q.query(
          `INSERT INTO siq_sim_balances (account, currency, balance) VALUES ($1, $3, $4::numeric), ($2, $3, $4::numeric)
           ON CONFLICT (account, currency) DO NOTHING`,
          [sender, receiver, currency, this.#opening],
        );
        const debited = await q.query<{ balance: string } & Row>(
          `UPDATE siq_sim_balances SET balance = balance - $3::numeric
           WHERE account = $1 AND currency = $2 AND balance >= $3::numeric RETURNING balance::text`,
          [sender, currency, amount],
        );
        if (debited.length === 0) {
          const [b] = await q.query<{ balance: string } & Row>("SELECT balance::text FROM siq_sim_balances WHERE account = $1 AND currency = $2", [sender, currency]);
          const balance = trim(b!.balance);
          outcome = {
            payment_id: id,
            status: "failed",
            settlement: { network: "simulated" },
            error_details: settlementFailure("INSUFFICIENT_FUNDS", { currency, balance, required: amount }),
          };
        } else {
          await q.query("UPDATE siq_sim_balances SET balance = balance + $3::numeric WHERE account = $1 AND currency = $2", [receiver, currency, amount]);
          outcome = { payment_id: id, status: "settled", settlement: simulateSettlement(id, order.payment_digest, now) };
        }
      }
      await this.#store.finish(outcome, q);
      return outcome;
    });
  }

  async balance(account: string, currency: string): Promise<string | undefined> {
    const [r] = await this.#store.db.query<{ balance: string } & Row>(
      "SELECT balance::text FROM siq_sim_balances WHERE account = $1 AND currency = $2",
      [account, currency],
    );
    return r ? trim(r.balance) : undefined;
  }
}

function trim(n: string): string {
  return n.includes(".") ? n.replace(/0+$/, "").replace(/\.$/, "") : n;
}
