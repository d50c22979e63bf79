/**
 * The validator's outbox: tasks ready to vote on are scored and signed in
 * batches (everything that arrived in one turn of the event loop, one
 * signature), published, and acked once the bus has the verdict. A task
 * already signed gets the same verdict again, byte for byte. A task that
 * cannot be scored or signed goes to the quarantine; the rest of its batch
 * is signed and sent as usual (sign-batch.ts).
 */
import type { Quarantine } from "../lib/bus/quarantine.ts";
import type { Bus, Delivery } from "../lib/bus/types.ts";
import type { Logger } from "../lib/logger.ts";
import {
  signVerdict,
  signVerdicts,
  type EvaluationTask,
  type SignedVerdict,
  type Signer,
  type Verdict,
} from "../protocol/index.ts";
import type { Emission, Fault } from "./faults.ts";
import { scoreAndSign } from "./sign-batch.ts";

export interface Pending {
  task: EvaluationTask;
  key: string;
  d: Delivery;
}

export interface OutboxComponents {
  id: string;
  bus: Bus;
  subject: string;
  /** The key verdicts are signed with (a fault drill may swap it). */
  signer: Signer;
  fault: Fault;
  quarantine: Quarantine;
  logger: Logger;
  score: (task: EvaluationTask, now: Date) => Verdict;
  onVoted: () => void;
}

const SIGNED_CACHE = 50_000;
/** Verdicts signed together: everything that arrived in one turn of the event loop, up to this many. */
const MAX_BATCH = 256;
const encoder = new TextEncoder();

export class VerdictOutbox {
  readonly #c: OutboxComponents;
  readonly #signed = new Map<string, SignedVerdict>();
  readonly #queue: Pending[] = [];
  #scheduled = false;
  #inFlight = 0;
  #slot: (() => void) | undefined;

  constructor(c: OutboxComponents) {
    this.#c = c;
  }

  push(p: Pending): void {
    this.#queue.push(p);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  /** Resolves once fewer than `max` tasks are queued or being published. */
  async room(max: number): Promise<void> {
    while (this.#inFlight + this.#queue.length >= max) await new Promise<void>((r) => (this.#slot = r));
  }

  // Score and sign everything queued, one signature per batch; a redelivered task gets the verdict it got before.
  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue.splice(0, MAX_BATCH);
    const keys = new Set<string>();
    const fresh = batch.filter((p) => !this.#signed.has(p.key) && !keys.has(p.key) && keys.add(p.key));
    const now = new Date();
    const out = scoreAndSign(
      fresh,
      (p) => this.#c.fault.shape(this.#c.score(p.task, now)),
      (vs) => signVerdicts(this.#c.signer, vs),
    );
    for (const [p, v] of out.signed) {
      this.#signed.set(p.key, v);
      if (this.#signed.size > SIGNED_CACHE) this.#signed.delete(this.#signed.keys().next().value!);
    }
    const errors = new Map(out.failed.map(([p, err]) => [p.key, err]));
    for (const p of batch) {
      const v = this.#signed.get(p.key);
      if (v) this.#publish(p, v);
      else this.#c.quarantine.failed(p.d, errors.get(p.key) ?? new Error("not signed"));
    }
    this.#slot?.();
    if (this.#queue.length > 0 && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #publish(p: Pending, verdict: SignedVerdict): void {
    let emissions: Emission[];
    try {
      emissions = this.#c.fault.emit(verdict, (v) => signVerdict(this.#c.signer, v), `${this.#c.id}:${p.key}`);
    } catch (err) {
      return this.#c.quarantine.failed(p.d, err);
    }
    this.#inFlight++;
    const sent = emissions.map((e) =>
      e.delayMs > 0
        ? new Promise((r) => setTimeout(r, e.delayMs)).then(() => this.#publishOne(e))
        : this.#publishOne(e),
    );
    Promise.all(sent)
      .then(() => {
        this.#c.onVoted();
        p.d.ack();
      })
      .catch((err: Error) => {
        this.#c.logger.warn({ payment_id: p.task.payment_id, err: err.message }, "verdict publish failed; will retry");
        p.d.nak(500);
      })
      .finally(() => {
        this.#inFlight--;
        this.#slot?.();
      });
  }

  #publishOne(e: Emission): Promise<unknown> {
    return this.#c.bus.publish(this.#c.subject, encoder.encode(JSON.stringify(e.verdict)), { msgId: e.msgId });
  }
}
