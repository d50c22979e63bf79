/**
 * The validator's outgoing side: tasks queued in one turn of the event loop
 * are scored and signed together (one signature per batch), then each verdict
 * is published and its delivery acked. A redelivered task gets the verdict it
 * got before, byte for byte. A task that cannot be scored, or whose verdict
 * cannot be signed, goes to the quarantine (retried, then dead-lettered); the
 * rest of its batch is signed and sent as usual (sign-batch.ts).
 */
import type { Delivery, Quarantine } from "../lib/bus/index.ts";
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
import type { ValidatorComponents, ValidatorStats } from "./validator.ts";

export interface Pending {
  task: EvaluationTask;
  key: string;
  d: Delivery;
  /** The node's logger, with the request id of the task's HTTP request when the bus carried one. */
  log: Logger;
}

const SIGNED_CACHE = 50_000;
/** Verdicts signed together: everything that arrived in one turn of the event loop, up to this many. */
const MAX_BATCH = 256;

export class VerdictQueue {
  readonly #c: ValidatorComponents;
  readonly #stats: ValidatorStats;
  readonly #fault: Fault;
  readonly #quarantine: Quarantine;
  readonly #signer: Signer;
  readonly #encoder = new TextEncoder();
  readonly #signed = new Map<string, SignedVerdict>();
  readonly #queue: Pending[] = [];
  #scheduled = false;
  #inFlight = 0;
  #slot: (() => void) | undefined;

  constructor(c: ValidatorComponents, stats: ValidatorStats, fault: Fault, quarantine: Quarantine) {
    this.#c = c;
    this.#stats = stats;
    this.#fault = fault;
    this.#quarantine = quarantine;
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

  // Runs in setImmediate, where a throw would end the process: nothing here throws (scoreAndSign keeps failures).
  #flush(): void {
    this.#scheduled = false;
    const batch = this.#queue.splice(0, MAX_BATCH);
    const failed = this.#sign(batch);
    for (const p of batch) {
      const verdict = this.#signed.get(p.key);
      if (verdict) this.#publish(p, verdict);
      else this.#quarantine.failed(p.d, failed.get(p.key) ?? new Error("not signed"));
    }
    this.#slot?.();
    if (this.#queue.length > 0) this.#schedule();
  }

  /** Scores and signs the tasks not signed before, one signature for all; returns why each task left out failed. */
  #sign(batch: Pending[]): Map<string, unknown> {
    const keys = new Set<string>();
    const fresh = batch.filter((p) => !this.#signed.has(p.key) && !keys.has(p.key) && keys.add(p.key));
    const now = new Date();
    const out = scoreAndSign(
      fresh,
      (p): Verdict => this.#fault.shape(this.#c.score(p.task, now)),
      (vs) => signVerdicts(this.#signer, vs),
    );
    for (const [p, v] of out.signed) {
      this.#signed.set(p.key, v);
      if (this.#signed.size > SIGNED_CACHE) this.#signed.delete(this.#signed.keys().next().value!);
    }
    for (const [p, err] of out.failed)
      p.log.error({ payment_id: p.task.payment_id, err: String(err) }, "scoring or signing failed");
    return new Map(out.failed.map(([p, err]) => [p.key, err]));
  }

  #publish(p: Pending, verdict: SignedVerdict): void {
    let emissions: Emission[];
    try {
      emissions = this.#fault.emit(verdict, (v) => signVerdict(this.#signer, v), `${this.#c.id}:${p.key}`);
    } catch (err) {
      return this.#quarantine.failed(p.d, err);
    }
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
        p.log.debug(
          { payment_id: p.task.payment_id, attempt: p.task.attempt, risk_level: verdict.verdict.risk_level },
          "verdict published",
        );
      })
      .catch((err: Error) => {
        p.log.warn({ payment_id: p.task.payment_id, err: err.message }, "verdict publish failed; will retry");
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
