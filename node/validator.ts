/**
 * The validator actor. Its mailbox is a durable consumer on the payments
 * stream, so it sees every payment; for each task it scores, signs and
 * publishes one verdict, then acks. A redelivered task gets the verdict it
 * already signed, byte for byte, and the bus drops the duplicate by id.
 */
import type { Bus, Delivery } from "../lib/bus/index.ts";
import type { Logger } from "../lib/logger.ts";
import {
  EvaluationTask,
  signVerdict,
  signVerdicts,
  type SignedVerdict,
  type Signer,
  type Topology,
  type Verdict,
} from "../protocol/index.ts";
import { HONEST, type Emission, type Fault } from "./faults.ts";
import { isStale } from "./stale.ts";

export interface ValidatorComponents {
  id: string;
  bus: Bus;
  signer: Signer;
  topology: Topology;
  logger: Logger;
  maxInFlight: number;
  /** True while this node's state (e.g. its audit registry copy) is older than the task needs: wait, then score. */
  behind?: (task: EvaluationTask) => boolean;
  /** A fault drill (see faults.ts); honest when absent. */
  fault?: Fault;
  /** Scores a task with the node's state and pack schedule (scorer.ts). */
  score: (task: EvaluationTask, now: Date) => Verdict;
  /** Records a task in the node's state without voting: it happened, even if this node does not judge it. */
  observe?: (task: EvaluationTask) => void;
}

export interface ValidatorStats {
  voted: number;
  stale: number;
  malformed: number;
}

const START_WINDOW_MS = 60_000;
const SIGNED_CACHE = 50_000;
/** Verdicts signed together: everything that arrived in one turn of the event loop, up to this many. */
const MAX_BATCH = 256;

interface Pending {
  task: EvaluationTask;
  key: string;
  d: Delivery;
}

export async function runValidator(c: ValidatorComponents): Promise<{ stop(): Promise<void>; stats: ValidatorStats }> {
  const t = c.topology;
  await c.bus.ensureStreams([t.streams.payments, t.streams.verdicts]);
  const mailbox = await c.bus.mailbox({
    stream: t.streams.payments.name,
    durable: t.consumers.validator(c.id),
    filterSubject: t.subjects.evaluate,
    startTime: new Date(Date.now() - START_WINDOW_MS),
    ackWaitMs: 10_000,
  });
  const stats: ValidatorStats = { voted: 0, stale: 0, malformed: 0 };
  const signed = new Map<string, SignedVerdict>();
  const fault = c.fault ?? HONEST;
  const signer = fault.signer(c.signer);
  const encoder = new TextEncoder();
  let inFlight = 0;
  let slot: (() => void) | undefined;

  const queue: Pending[] = [];
  let scheduled = false;

  const publishOne = (p: Pending, e: Emission): Promise<unknown> =>
    c.bus.publish(t.subjects.verdict(c.id), encoder.encode(JSON.stringify(e.verdict)), { msgId: e.msgId });

  const publish = (p: Pending, verdict: SignedVerdict) => {
    const emissions = fault.emit(verdict, (v) => signVerdict(signer, v), `${c.id}:${p.key}`);
    inFlight++;
    const sent = emissions.map((e) =>
      e.delayMs > 0 ? new Promise((r) => setTimeout(r, e.delayMs)).then(() => publishOne(p, e)) : publishOne(p, e),
    );
    Promise.all(sent)
      .then(() => {
        stats.voted++;
        p.d.ack();
      })
      .catch((err: Error) => {
        c.logger.warn({ payment_id: p.task.payment_id, err: err.message }, "verdict publish failed; will retry");
        p.d.nak(500);
      })
      .finally(() => {
        inFlight--;
        slot?.();
      });
  };

  // Score and sign everything queued, one signature per batch; a redelivered task gets the verdict it got before.
  const flush = () => {
    scheduled = false;
    const batch = queue.splice(0, MAX_BATCH);
    const keys = new Set<string>();
    const fresh = batch.filter((p) => !signed.has(p.key) && !keys.has(p.key) && keys.add(p.key));
    const now = new Date();
    const verdicts = signVerdicts(
      signer,
      fresh.map((p) => fault.shape(c.score(p.task, now))),
    );
    fresh.forEach((p, i) => {
      signed.set(p.key, verdicts[i]!);
      if (signed.size > SIGNED_CACHE) signed.delete(signed.keys().next().value!);
    });
    for (const p of batch) publish(p, signed.get(p.key)!);
    if (queue.length > 0) schedule();
  };
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  const handle = (d: Delivery) => {
    let task: EvaluationTask;
    try {
      task = EvaluationTask.parse(JSON.parse(Buffer.from(d.data).toString("utf8")));
    } catch (err) {
      stats.malformed++;
      c.logger.warn({ seq: d.streamSeq, err: (err as Error).message }, "malformed task dropped");
      d.term();
      return;
    }
    if (task.members && !task.members.includes(c.id)) {
      c.observe?.(task);
      d.ack(); // addressed to a committee this validator is not on
      return;
    }
    if (isStale(task, new Date())) {
      stats.stale++;
      c.observe?.(task);
      d.ack();
      return;
    }
    if (c.behind?.(task)) {
      d.nak(50);
      return;
    }
    queue.push({ task, key: `${task.payment_id}:${task.attempt}`, d });
    schedule();
  };

  const loop = (async () => {
    for await (const d of mailbox) {
      handle(d);
      while (inFlight + queue.length >= c.maxInFlight) await new Promise<void>((r) => (slot = r));
    }
  })();

  const beat = setInterval(() => c.bus.signal(t.subjects.heartbeat(c.id), encoder.encode(c.id)), 1000);
  c.bus.signal(t.subjects.heartbeat(c.id), encoder.encode(c.id));

  return {
    stats,
    async stop() {
      clearInterval(beat);
      await mailbox.close();
      await loop.catch(() => {});
    },
  };
}
