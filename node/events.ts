/**
 * The validator's event actor: a second mailbox, on the events stream. For
 * each authentication or behaviour event it updates the node's state (once per
 * event) and publishes one signed event verdict. Redelivery gets the bytes it
 * already signed, and the bus drops the duplicate by id. A task it cannot read
 * is dead-lettered; one it cannot score or sign is retried, then dead-lettered.
 */
import { drain, openQuarantine, type Bus, type Delivery } from "../lib/bus/index.ts";
import type { Logger } from "../lib/logger.ts";
import { logFor } from "./log-for.ts";
import {
  EventTask,
  readBusMessage,
  signEventVerdict,
  type Signer,
  type Topology,
  type Verifier,
} from "../protocol/index.ts";

export interface EventActorComponents {
  id: string;
  bus: Bus;
  signer: Signer;
  /** The coordinator's bus key: an event task without its valid signature is refused. */
  busKey: Verifier;
  topology: Topology;
  logger: Logger;
  score: (task: EventTask, now: Date) => import("../protocol/index.ts").EventVerdict;
}

const START_WINDOW_MS = 60_000;
const SIGNED_CACHE = 50_000;

export async function runEventActor(
  c: EventActorComponents,
): Promise<{ stop(): Promise<void>; stats: { voted: number; stale: number; malformed: number } }> {
  const t = c.topology;
  await c.bus.ensureStreams([t.streams.events, t.streams.verdicts]);
  const mailbox = await c.bus.mailbox({
    stream: t.streams.events.name,
    durable: t.consumers.validatorEvents(c.id),
    filterSubject: t.subjects.evaluateEvent,
    startTime: new Date(Date.now() - START_WINDOW_MS),
    ackWaitMs: 10_000,
  });
  const quarantine = await openQuarantine({ ...c, topology: t, actor: t.consumers.validatorEvents(c.id) });
  const stats = { voted: 0, stale: 0, malformed: 0 };
  const signed = new Map<string, Uint8Array>();
  const encoder = new TextEncoder();

  const handle = async (d: Delivery) => {
    const log = logFor(c.logger, d);
    const read = readBusMessage(c.busKey, d.data);
    if ("refused" in read) {
      log.warn({ seq: d.streamSeq, code: read.refused }, "event task refused: not signed by the coordinator");
      quarantine.reject(d, `${read.refused}: the event task does not carry the coordinator's signature`);
      return;
    }
    let task: EventTask;
    try {
      if ("malformed" in read) throw new Error(read.malformed);
      task = EventTask.parse(read.message);
    } catch (err) {
      stats.malformed++;
      quarantine.reject(d, `malformed event task: ${(err as Error).message}`);
      return;
    }
    const now = new Date();
    let bytes = signed.get(task.event_ref);
    if (!bytes) {
      // A stale event still updates state (it happened); only its vote is pointless.
      const verdict = c.score(task, now);
      if (Date.parse(task.deadline_at) < now.getTime()) {
        stats.stale++;
        d.ack();
        return;
      }
      bytes = encoder.encode(JSON.stringify(signEventVerdict(c.signer, verdict)));
      signed.set(task.event_ref, bytes);
      if (signed.size > SIGNED_CACHE) signed.delete(signed.keys().next().value!);
    }
    try {
      await c.bus.publish(t.subjects.eventVerdict(c.id), bytes, { msgId: `${c.id}:${task.event_ref}` });
      stats.voted++;
      d.ack();
      log.debug({ event_ref: task.event_ref }, "event verdict published");
    } catch (err) {
      log.warn({ event_ref: task.event_ref, err: (err as Error).message }, "event verdict publish failed; will retry");
      d.nak(500);
    }
  };

  const reading = drain(mailbox, handle, quarantine);
  return { stats, stop: () => reading.stop() };
}
