/**
 * The validator actor. Its mailbox is a durable consumer on the payments
 * stream, so it sees every payment; for each task it scores, signs and
 * publishes one verdict, then acks. A redelivered task gets the verdict it
 * already signed, byte for byte, and the bus drops the duplicate by id.
 */
import type { Bus, Delivery } from "../lib/bus/types.ts";
import type { Logger } from "../lib/logger.ts";
import { EvaluationTask, signVerdict, type SignedVerdict, type Signer, type Topology } from "../protocol/index.ts";
import type { CompiledPack } from "../rules/index.ts";
import { isStale, scoreTask } from "./score.ts";

export interface ValidatorComponents {
  id: string;
  bus: Bus;
  signer: Signer;
  pack: () => CompiledPack;
  topology: Topology;
  logger: Logger;
  maxInFlight: number;
  /** True while this node's state (e.g. its audit registry copy) is older than the task needs: wait, then score. */
  behind?: (task: EvaluationTask) => boolean;
}

export interface ValidatorStats {
  voted: number;
  stale: number;
  malformed: number;
}

const START_WINDOW_MS = 60_000;
const SIGNED_CACHE = 50_000;

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
  const signed = new Map<string, Uint8Array>();
  const encoder = new TextEncoder();
  let inFlight = 0;
  let slot: (() => void) | undefined;

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
    const now = new Date();
    if (isStale(task, now)) {
      stats.stale++;
      d.ack();
      return;
    }
    if (c.behind?.(task)) {
      d.nak(50);
      return;
    }
    const key = `${task.payment_id}:${task.attempt}`;
    let bytes = signed.get(key);
    if (!bytes) {
      const verdict: SignedVerdict = signVerdict(c.signer, scoreTask(task, c.pack(), c.id, now));
      bytes = encoder.encode(JSON.stringify(verdict));
      signed.set(key, bytes);
      if (signed.size > SIGNED_CACHE) signed.delete(signed.keys().next().value!);
    }
    inFlight++;
    c.bus
      .publish(t.subjects.verdict(c.id), bytes, { msgId: `${c.id}:${key}` })
      .then(() => {
        stats.voted++;
        d.ack();
      })
      .catch((err: Error) => {
        c.logger.warn({ payment_id: task.payment_id, err: err.message }, "verdict publish failed; will retry");
        d.nak(500);
      })
      .finally(() => {
        inFlight--;
        slot?.();
      });
  };

  const loop = (async () => {
    for await (const d of mailbox) {
      handle(d);
      while (inFlight >= c.maxInFlight) await new Promise<void>((r) => (slot = r));
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
