/**
 * The validator's outgoing side: tasks queued in one turn of the event loop
 * are scored and signed together (one signature per batch), then each verdict
 * is published and its delivery acked. A redelivered task gets the verdict it
 * got before, byte for byte.
 */
import type { Delivery } from "../lib/bus/index.ts";
import {
  signVerdict,
  signVerdicts,
  type EvaluationTask,
  type SignedVerdict,
  type Signer,
  type Verdict,
} from "../protocol/index.ts";
import type { Emission, Fault } from "./faults.ts";
import type { ValidatorComponents, ValidatorStats } from "./validator.ts";

export interface Pending {
  task: EvaluationTask;
  key: string;
  d: Delivery;
}

const SIGNED_CACHE = 50_000;
/** Verdicts signed together: everything that arrived in one turn of the event loop, up to this many. */
const MAX_BATCH = 256;
const SCORE_RETRY_MS = 1000;

export class VerdictQueue {
  readonly #c: ValidatorComponents;
  readonly #stats: ValidatorStats;
  readonly #fault: Fault;
  readonly #signer: Signer;
  readonly #encoder = new TextEncoder();
  readonly #signed = new Map<string, SignedVerdict>();
  readonly #queue: Pending[] = [];
  #scheduled = false;
  #inFlight = 0;
  #slot: (() => void) | undefined;

  constructor(c: ValidatorComponents, stats: ValidatorStats, fault: Fault) {
    this.#c = c;
    this.#stats = stats;
    this.#fault = fault;
    this.#signer = fault.signer(c.signer);
  }

  /** Tasks queued or being published. */
  get load(): number {
    return this.#inFlight + this.#queue.length;
  }

  /** Resolves when the next publish finishes. */
  slot(): Promise<void> {
    return new Promise<void>((r) => (this.#slot = r));
  }

  push(p: Pending): void {
    this.#queue.push(p);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue.splice(0, MAX_BATCH);
    try {
      this.#sign(batch);
    } catch (err) {
      // Runs in setImmediate: a throw here would end the process. Tasks left unsigned wait and come again.
      this.#c.logger.error({ err: String(err), tasks: batch.length }, "signing failed; tasks will be redelivered");
    }
    for (const p of batch) {
      const verdict = this.#signed.get(p.key);
      if (verdict) this.#publish(p, verdict);
      else p.d.nak(SCORE_RETRY_MS);
    }
    if (this.#queue.length > 0) this.#schedule();
  }

  /** Scores and signs the tasks not signed before, one signature for all; a task the scorer throws on is left out. */
  #sign(batch: Pending[]): void {
    const keys = new Set<string>();
    const fresh = batch.filter((p) => !this.#signed.has(p.key) && !keys.has(p.key) && keys.add(p.key));
    const now = new Date();
    const scored: { p: Pending; verdict: Verdict }[] = [];
    for (const p of fresh) {
      try {
        scored.push({ p, verdict: this.#fault.shape(this.#c.score(p.task, now)) });
      } catch (err) {
        this.#c.logger.error({ payment_id: p.task.payment_id, err: String(err) }, "scoring failed; task comes again");
      }
    }
    const verdicts = signVerdicts(
      this.#signer,
      scored.map((s) => s.verdict),
    );
    scored.forEach(({ p }, i) => {
      this.#signed.set(p.key, verdicts[i]!);
      if (this.#signed.size > SIGNED_CACHE) this.#signed.delete(this.#signed.keys().next().value!);
    });
  }

  #publish(p: Pending, verdict: SignedVerdict): void {
    const emissions = this.#fault.emit(verdict, (v) => signVerdict(this.#signer, v), `${this.#c.id}:${p.key}`);
    this.#inFlight++;
    const sent = emissions.map((e) =>
      e.delayMs > 0
        ? new Promise((r) => setTimeout(r, e.delayMs)).then(() => this.#publishOne(e))
        : this.#publishOne(e),
    );
    Promise.all(sent)
      .then(() => {
        this.#stats.voted++;
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
    const t = this.#c.topology;
    return this.#c.bus.publish(t.subjects.verdict(this.#c.id), this.#encoder.encode(JSON.stringify(e.verdict)), {
      msgId: e.msgId,
    });
  }
}
