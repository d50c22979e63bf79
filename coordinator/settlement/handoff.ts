/**
 * Between the payment service and the settler: publishes each approved
 * payment's order on the settlements stream and lets the payment's answer
 * wait for the outcome, up to a limit, after which it answers `approved` and
 * `GET /v1/payments/:id` shows the final state later.
 */
import type { Bus } from "../../lib/bus/index.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  settlementMsgId,
  signBusMessage,
  type Signer,
  type PaymentView,
  type SettlementOrder,
  type SettlementOutcome,
  type Topology,
} from "../../protocol/index.ts";

export interface HandoffComponents {
  bus: Bus;
  topology: Topology;
  /** The longest an answer waits for its settlement. */
  waitMs: number;
  /** Whether live (non-debug) payments are settled at all (a chain backend is configured). */
  live: boolean;
  logger: Logger;
  /** Signs each order (the settler refuses one it cannot verify). */
  busSigner: Signer;
}

const encoder = new TextEncoder();
const REPUBLISH_MS = 1000;

export class SettlementHandoff {
  readonly #c: HandoffComponents;
  readonly #waiters = new Map<string, Set<(o: SettlementOutcome) => void>>();
  #closed = false;

  constructor(c: HandoffComponents) {
    this.#c = c;
  }

  /**
   * The settlement order on the bus. The bus drops a repeat by id; `again` names a deliberate
   * repeat (recovery after a restart), which the settler then finds already settled or finishes.
   */
  async publish(order: SettlementOrder, again?: string): Promise<void> {
    const msgId = settlementMsgId(order.payment_id) + (again ? `:${again}` : "");
    const signed = signBusMessage(this.#c.busSigner, order);
    await this.#c.bus.publish(this.#c.topology.subjects.settle, encoder.encode(JSON.stringify(signed)), { msgId });
  }

  /**
   * Hands the order to the settler and resolves to the payment's answer: settled or failed when the
   * settler finishes in time, else the approved view. Never rejects: a publish that fails is retried
   * (and start-up recovery republishes whatever is still approved).
   */
  handOff(order: SettlementOrder, view: PaymentView, until = Date.now() + this.#c.waitMs): Promise<PaymentView> {
    const id = order.payment_id;
    // Without a chain, a live payment stays approved: answer at once (recovery hands it over once one is configured).
    if (!order.debug_mode && !this.#c.live) return Promise.resolve(view);
    return new Promise((resolve) => {
      const waiter = (o: SettlementOutcome) => {
        clearTimeout(timer);
        set.delete(waiter);
        if (set.size === 0) this.#waiters.delete(id);
        resolve(applyOutcome(view, o));
      };
      const timer = setTimeout(
        () => {
          set.delete(waiter);
          if (set.size === 0) this.#waiters.delete(id);
          resolve(view);
        },
        Math.max(0, Math.min(this.#c.waitMs, until - Date.now())),
      );
      const set = this.#waiters.get(id) ?? new Set();
      set.add(waiter);
      this.#waiters.set(id, set);
      const attempt = () =>
        this.publish(order).catch((err: Error) => {
          if (this.#closed) return;
          this.#c.logger.warn({ payment_id: id, err: err.message }, "settlement order not published; retrying");
          setTimeout(() => void attempt(), REPUBLISH_MS).unref();
        });
      void attempt();
    });
  }

  /** The settler's report: answers whoever waits for this payment. */
  readonly notify = (o: SettlementOutcome): void => {
    for (const w of [...(this.#waiters.get(o.payment_id) ?? [])]) w(o);
  };

  close(): void {
    this.#closed = true;
  }
}

export function applyOutcome(view: PaymentView, o: SettlementOutcome): PaymentView {
  const next: PaymentView = { ...view, status: o.status, settlement: o.settlement };
  if (o.error_details) next.error_details = o.error_details;
  return next;
}
