/**
 * What an actor does with a message it cannot handle, so that one poison
 * message never stops it: an unreadable one goes to the dead-letter stream at
 * once; one whose handling throws is offered again with a growing delay, and
 * after `maxDeliver` deliveries goes to the dead-letter stream too. Either way
 * the actor logs it and reads on. If the dead-letter stream cannot be reached,
 * the message is handed back to its own stream for later, never dropped.
 */
import {
  cutText,
  deadLetterMsgId,
  MAX_DEAD_LETTER_BYTES,
  sha256Hex,
  TypeTags,
  type DeadLetter,
  type Topology,
} from "../../protocol/index.ts";
import type { Logger } from "../logger.ts";
import type { Bus, Delivery } from "./types.ts";

export interface QuarantineOptions {
  bus: Bus;
  topology: Topology;
  /** The actor's name on the dead-letter subject and in the metric: its durable consumer's name. */
  actor: string;
  logger: Logger;
  /** Deliveries a message whose handling throws gets before it is dead-lettered. */
  maxDeliver?: number;
}

export interface Quarantine {
  readonly actor: string;
  /** The message can never be handled (unreadable, the wrong shape): dead-letter it now. */
  reject(d: Delivery, reason: string): void;
  /** Handling it threw: offer it again later, and dead-letter it once it has had `maxDeliver` deliveries. */
  failed(d: Delivery, err: unknown): void;
  /** `handle`, with anything it throws (or rejects with) sent to `failed`, never to the caller. */
  guard(handle: (d: Delivery) => void | Promise<void>): (d: Delivery) => Promise<void>;
}

export const DEFAULT_MAX_DELIVER = 5;
const MAX_BACKOFF_MS = 10_000;
const encoder = new TextEncoder();

export async function openQuarantine(o: QuarantineOptions): Promise<Quarantine> {
  await o.bus.ensureStreams([o.topology.streams.deadLetters]);
  const maxDeliver = o.maxDeliver ?? DEFAULT_MAX_DELIVER;
  const subject = o.topology.subjects.deadLetter(o.actor);

  const bury = (d: Delivery, reason: string) => {
    const letter = deadLetter(o.actor, d, reason);
    o.bus
      .publish(subject, encoder.encode(JSON.stringify(letter)), { msgId: deadLetterMsgId(o.actor, d.streamSeq) })
      .then(
        () => {
          o.logger.error(
            {
              actor: o.actor,
              subject: d.subject,
              seq: d.streamSeq,
              deliveries: d.deliveryCount,
              reason: letter.reason,
            },
            "message dead-lettered",
          );
          d.term();
        },
        (err: Error) => {
          o.logger.warn({ seq: d.streamSeq, err: err.message }, "dead-letter stream unreachable; message kept");
          d.nak(MAX_BACKOFF_MS);
        },
      );
  };

  const failed = (d: Delivery, err: unknown) => {
    const reason = err instanceof Error ? err.message : String(err);
    if (d.deliveryCount >= maxDeliver) return bury(d, `failed ${d.deliveryCount} times: ${reason}`);
    o.logger.warn({ actor: o.actor, seq: d.streamSeq, deliveries: d.deliveryCount, err: reason }, "handling failed");
    d.nak(Math.min(250 * 2 ** d.deliveryCount, MAX_BACKOFF_MS));
  };

  return {
    actor: o.actor,
    reject: bury,
    failed,
    guard: (handle) => async (d) => {
      try {
        await handle(d);
      } catch (err) {
        failed(d, err);
      }
    },
  };
}

function deadLetter(actor: string, d: Delivery, reason: string): DeadLetter {
  const data = Buffer.from(d.data.buffer, d.data.byteOffset, d.data.byteLength);
  return {
    type: TypeTags.dead_letter,
    actor,
    subject: cutText(d.subject, 256),
    stream_seq: d.streamSeq,
    deliveries: d.deliveryCount,
    reason: cutText(reason, 500),
    data: data.subarray(0, MAX_DEAD_LETTER_BYTES).toString("base64"),
    data_bytes: data.length,
    data_sha256: sha256Hex(data),
    at: new Date().toISOString(),
  };
}
