/**
 * Pure: the simulated ledger's rules, applied to a batch of debug orders in
 * order. An account seen for the first time opens with the configured
 * balance; a sender must hold the amount; a payment id is applied once.
 * Balances are exact, in units of 10⁻⁹ (the ledger column is numeric(38,9)).
 */
import {
  settlementFailure,
  type SettlementFailure,
  type SettlementOrder,
  type SettlementOutcome,
} from "../../protocol/index.ts";
import { fromBaseUnits, toBaseUnits } from "./assets.ts";
import { simulateSettlement } from "./simulated.ts";

export const LEDGER_DECIMALS = 9;

export interface LedgerItem {
  order: SettlementOrder;
  /** A failure found before the ledger (e.g. an invalid receiver). */
  precheck: SettlementFailure | undefined;
}

export const balanceKey = (account: string, currency: string) => `${account}\n${currency}`;

export function units(decimal: string): bigint {
  return toBaseUnits(decimal, LEDGER_DECIMALS) as bigint;
}

/** Applies the items in order to `balances` (changed in place); returns one outcome per distinct payment. */
export function applyLedger(
  balances: Map<string, bigint>,
  items: readonly LedgerItem[],
  opening: bigint,
  now: Date,
): Map<string, SettlementOutcome> {
  const out = new Map<string, SettlementOutcome>();
  for (const { order, precheck } of items) {
    const id = order.payment_id;
    if (out.has(id)) continue;
    if (precheck) {
      out.set(id, { payment_id: id, status: "failed", settlement: { network: "simulated" }, error_details: precheck });
      continue;
    }
    const from = balanceKey(order.sender, order.currency);
    const to = balanceKey(order.receiver, order.currency);
    const amount = units(order.amount);
    const have = balances.get(from) ?? opening;
    if (have < amount) {
      balances.set(from, have);
      const facts = { currency: order.currency, balance: fromBaseUnits(have, LEDGER_DECIMALS), required: order.amount };
      out.set(id, {
        payment_id: id,
        status: "failed",
        settlement: { network: "simulated" },
        error_details: settlementFailure("INSUFFICIENT_FUNDS", facts),
      });
      continue;
    }
    balances.set(from, have - amount);
    balances.set(to, (balances.get(to) ?? opening) + amount);
    out.set(id, { payment_id: id, status: "settled", settlement: simulateSettlement(id, order.payment_digest, now) });
  }
  return out;
}
