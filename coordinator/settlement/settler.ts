/**
 * The settler actor. Its mailbox is a durable consumer on the settlements
 * stream: orders arrive at least once, and each is settled exactly once,
 * debug ones in the simulated ledger and live ones on Solana (onchain.ts).
 * An order is acked only once its final state is stored; anything not yet
 * final is handed back (nak) for a later delivery. An unreadable order goes
 * to the dead-letter stream; one whose step fails is retried with a growing
 * delay, never dropped (it is money: the failure may be the chain's or the
 * store's, not the order's), while the other orders go on.
 */
import { drain, openQuarantine, type Bus, type Delivery, type Draining, type Quarantine } from "../../lib/bus/index.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  readBusMessage,
  SettlementOrder,
  type SettlementOutcome,
  type Topology,
  type Verifier,
} from "../../protocol/index.ts";
import { admitOrder } from "./guard.ts";
import type { SimulatedLedger } from "./ledger.ts";
import type { SettlementMetrics } from "./metrics.ts";
import { settleOnChain, type OnChainDeps } from "./onchain.ts";
import { checkParties } from "./preflight.ts";
import { foreignWallet, type Custody } from "./custody.ts";
import type { SettlementStore } from "./store.ts";

export interface SettlerComponents {
  bus: Bus;
  topology: Topology;
  ledger: SimulatedLedger;
  /** Where the settler loads the payment an order names: it settles the stored payment, never the order's copy. */
  store: SettlementStore;
  /** The coordinator's bus key: an order without its valid signature is refused. */
  busKey: Verifier;
  /** Null when no chain backend is configured: live orders then stay `approved`. */
  chain: OnChainDeps | null;
  concurrency: number;
  /** Custody wallets and who may spend them (checked again before signing). */
  custody?: Custody;
  /** How long a delivery may run before the bus offers it again (longer than one confirmation wait). */
  ackWaitMs?: number;
  logger: Logger;
  metrics: SettlementMetrics | null;
  onSettled: (o: SettlementOutcome) => void;
}

const RETRY_MS = 500;

export class Settler {
  readonly #c: SettlerComponents;
  readonly #busy = new Set<string>();
  #reading: Draining | undefined;
  #quarantine: Quarantine | undefined;
  #warnedNoChain = false;

  constructor(c: SettlerComponents) {
    this.#c = c;
  }

  async start(): Promise<void> {
    const t = this.#c.topology;
    const mailbox = await this.#c.bus.mailbox({
      stream: t.streams.settlements.name,
      durable: t.consumers.settler,
      filterSubject: t.subjects.settle,
      ackWaitMs: this.#c.ackWaitMs ?? 40_000,
      maxAckPending: this.#c.concurrency * 4,
    });
    const quarantine = await openQuarantine({ ...this.#c, actor: t.consumers.settler });
    this.#quarantine = quarantine;
    this.#reading = drain(mailbox, (d) => this.#handle(d), quarantine, this.#c.concurrency);
  }

  async stop(): Promise<void> {
    await this.#reading?.stop();
  }

  /** Settles one order (or finds it already settled); undefined means "not final yet, try again later". */
  async process(order: SettlementOrder, delivery = 1): Promise<SettlementOutcome | undefined> {
    const started = Date.now();
    let outcome: SettlementOutcome | undefined = foreignWallet(order, this.#c.custody ?? new Map());
    if (outcome) {
      this.#c.logger.warn({ payment_id: order.payment_id }, "an order names a custody wallet its agent may not spend");
    } else if (order.debug_mode) {
      outcome = await this.#c.ledger.settle(order, checkParties(order.sender, order.receiver));
    } else if (!this.#c.chain) {
      if (!this.#warnedNoChain)
        this.#c.logger.warn(
          "a live payment was approved but no settlement backend is configured (--settlement); it stays approved",
        );
      this.#warnedNoChain = true;
      return undefined;
    } else {
      const r = await settleOnChain(order, delivery, this.#c.chain);
      if ("retry" in r) {
        this.#c.metrics?.retriesTotal.inc();
        this.#c.logger.info(
          { payment_id: order.payment_id, reason: r.retry },
          "settlement not final yet; will check again",
        );
        return undefined;
      }
      outcome = r.outcome;
    }
    const code = outcome.error_details?.code ?? "";
    this.#c.metrics?.settlementsTotal.inc({ network: outcome.settlement.network, status: outcome.status, code });
    this.#c.metrics?.settlementSeconds.observe((Date.now() - Math.min(started, Date.parse(order.approved_at))) / 1000);
    return outcome;
  }

  async #handle(d: Delivery): Promise<void> {
    const read = readBusMessage(this.#c.busKey, d.data);
    if ("refused" in read) {
      this.#c.logger.warn({ seq: d.streamSeq, code: read.refused }, "settlement order refused");
      this.#quarantine?.reject(d, `${read.refused}: the order does not carry the coordinator's signature`);
      return;
    }
    let claimed: SettlementOrder;
    try {
      if ("malformed" in read) throw new Error(read.malformed);
      claimed = SettlementOrder.parse(read.message);
    } catch (err) {
      this.#quarantine?.reject(d, `malformed settlement order: ${(err as Error).message}`);
      return;
    }
    const admitted = admitOrder(claimed, await this.#c.store.payment(claimed.payment_id));
    if ("done" in admitted) return d.ack();
    if ("refused" in admitted) {
      this.#c.logger.warn({ payment_id: claimed.payment_id, code: admitted.refused }, "settlement order refused");
      this.#quarantine?.reject(d, `${admitted.refused}: ${admitted.reason}`);
      return;
    }
    const order = admitted.order;
    // One delivery of a payment at a time in this process; the store's compare-and-set covers the rest.
    if (this.#busy.has(order.payment_id)) return d.nak(RETRY_MS * 2);
    this.#busy.add(order.payment_id);
    try {
      const outcome = await this.process(order, d.deliveryCount);
      if (!outcome) {
        if (order.debug_mode || this.#c.chain) d.nak(Math.min(RETRY_MS * d.deliveryCount, 10_000));
        else d.ack();
        return;
      }
      this.#c.onSettled(outcome);
      d.ack();
    } catch (err) {
      this.#c.logger.error(
        { payment_id: order.payment_id, err: (err as Error).message },
        "settlement step failed; will retry",
      );
      d.nak(Math.min(RETRY_MS * d.deliveryCount, 10_000));
    } finally {
      this.#busy.delete(order.payment_id);
    }
  }
}
