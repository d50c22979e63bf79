/**
 * The validator actor. Its mailbox is a durable consumer on the payments
 * stream, so it sees every payment; for each task it scores, signs and
 * publishes one verdict, then acks. A redelivered task gets the verdict it
 * already signed, byte for byte, and the bus drops the duplicate by id.
 */
import type { Bus, Delivery } from "../lib/bus/index.ts";
import type { Logger } from "../lib/logger.ts";
import { EvaluationTask, type Signer, type Topology, type Verdict } from "../protocol/index.ts";
import { HONEST, type Fault } from "./faults.ts";
import { isStale } from "./stale.ts";
import { VerdictQueue } from "./verdict-queue.ts";

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
  const verdicts = new VerdictQueue(c, stats, c.fault ?? HONEST);
  const loop = (async () => {
    for await (const d of mailbox) {
      const task = admit(c, d, stats);
      if (task) verdicts.push({ task, key: `${task.payment_id}:${task.attempt}`, d });
      while (verdicts.load >= c.maxInFlight) await verdicts.slot();
    }
  })();

  const encoder = new TextEncoder();
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

/** The task to vote on, or undefined once the delivery is settled here (malformed, not addressed to us, stale, or early). */
function admit(c: ValidatorComponents, d: Delivery, stats: ValidatorStats): EvaluationTask | undefined {
  let task: EvaluationTask;
  try {
    task = EvaluationTask.parse(JSON.parse(Buffer.from(d.data).toString("utf8")));
  } catch (err) {
    stats.malformed++;
    c.logger.warn({ seq: d.streamSeq, err: (err as Error).message }, "malformed task dropped");
    d.term();
    return undefined;
  }
  if (task.members && !task.members.includes(c.id)) {
    c.observe?.(task);
    d.ack(); // addressed to a committee this validator is not on
    return undefined;
  }
  if (isStale(task, new Date())) {
    stats.stale++;
    c.observe?.(task);
    d.ack();
    return undefined;
  }
  if (c.behind?.(task)) {
    d.nak(50);
    return undefined;
  }
  return task;
}
