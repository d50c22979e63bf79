/**
 * The validator actor. Its mailbox is a durable consumer on the payments
 * stream, so it sees every payment; for each task it scores, signs and
 * publishes one verdict, then acks. A redelivered task gets the verdict it
 * already signed, byte for byte, and the bus drops the duplicate by id.
 *
 * A task it cannot read goes to the dead-letter stream; one it cannot score
 * or sign is offered again a few times, then dead-lettered (lib/bus/quarantine.ts).
 * Either way the others in its batch are signed and the actor reads on: every
 * validator runs this same code, so a task that stopped one would stop all.
 */
import { openQuarantine, type Bus, type Delivery, type Quarantine } from "../lib/bus/index.ts";
import type { Logger } from "../lib/logger.ts";
import {
  EvaluationTask,
  paymentDigest,
  readBusMessage,
  signHeartbeat,
  type Signer,
  type Topology,
  type Verdict,
  type Verifier,
} from "../protocol/index.ts";
import { HONEST, type Fault } from "./faults.ts";
import { isStale } from "./stale.ts";
import { VerdictQueue } from "./verdict-queue.ts";
import { logFor } from "./log-for.ts";

export interface ValidatorComponents {
  id: string;
  bus: Bus;
  signer: Signer;
  /** The coordinator's bus key: a task without its valid signature is refused. */
  busKey: Verifier;
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
  /** Tasks refused because they do not hold up (a digest that is not their payment's): dead-lettered, never signed. */
  refused: number;
}

const START_WINDOW_MS = 60_000;
/** Deliveries (50 ms apart) a task may wait for this node's audit registry copy to catch up: far past any deadline. */
const MAX_BEHIND_DELIVERIES = 400;

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
  const quarantine = await openQuarantine({ ...c, topology: t, actor: t.consumers.validator(c.id) });
  const stats: ValidatorStats = { voted: 0, stale: 0, malformed: 0, refused: 0 };
  const verdicts = new VerdictQueue(c, stats, c.fault ?? HONEST, quarantine);
  const loop = (async () => {
    for await (const d of mailbox) {
      try {
        const task = admit(c, d, stats, quarantine);
        if (task) verdicts.push({ task, key: `${task.payment_id}:${task.attempt}`, d, log: logFor(c.logger, d) });
      } catch (err) {
        quarantine.failed(d, err);
      }
      while (verdicts.load >= c.maxInFlight) await verdicts.slot();
    }
  })();

  const heartbeat = () => c.bus.signal(t.subjects.heartbeat(c.id), signHeartbeat(c.signer, c.id));
  const beat = setInterval(heartbeat, 1000);
  heartbeat();

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
function admit(
  c: ValidatorComponents,
  d: Delivery,
  stats: ValidatorStats,
  quarantine: Quarantine,
): EvaluationTask | undefined {
  const log = logFor(c.logger, d);
  const read = readBusMessage(c.busKey, d.data);
  if ("refused" in read) {
    stats.refused++;
    log.warn({ seq: d.streamSeq, code: read.refused }, "task refused: not signed by the coordinator");
    quarantine.reject(d, `${read.refused}: the task does not carry the coordinator's signature`);
    return undefined;
  }
  let task: EvaluationTask;
  try {
    if ("malformed" in read) throw new Error(read.malformed);
    task = EvaluationTask.parse(read.message);
  } catch (err) {
    stats.malformed++;
    quarantine.reject(d, `malformed task: ${(err as Error).message}`);
    return undefined;
  }
  // Never sign a digest this node has not computed: the bus may carry a task whose digest is not its payment's.
  if (paymentDigest(task.payment_id, task.tenant_id, task.payment) !== task.payment_digest) {
    stats.refused++;
    log.warn({ payment_id: task.payment_id, attempt: task.attempt }, "task refused: payment_digest mismatch");
    quarantine.reject(d, "TASK_DIGEST_MISMATCH: payment_digest is not the digest of the task's payment");
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
    // A revision the registry never reaches (a forged task) must not circle for ever.
    if (d.deliveryCount >= MAX_BEHIND_DELIVERIES) throw new Error(`audit revision ${task.audit_revision} never seen`);
    d.nak(50);
    return undefined;
  }
  return task;
}
