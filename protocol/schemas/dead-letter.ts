/**
 * A dead letter: a bus message an actor gave up on (unreadable, or failing
 * every delivery), moved to the dead-letter stream with why, so that one
 * poison message never stops an actor and is never silently lost.
 */
import { z } from "zod";
import { Base64, Hex64, IsoTime } from "./fields.ts";
import { TypeTags } from "../tags.ts";

/** The most of the original message a dead letter keeps (its SHA-256 covers all of it). */
export const MAX_DEAD_LETTER_BYTES = 64 * 1024;

export const DeadLetter = z
  .object({
    type: z.literal(TypeTags.dead_letter),
    /** The actor that gave up: its durable consumer's name (`validator-v1`, `aggregator`, `log-sequencer`, …). */
    actor: z.string().min(1).max(64),
    subject: z.string().max(256),
    stream_seq: z.number().int().min(0),
    deliveries: z.number().int().min(1),
    reason: z.string().max(500),
    /** The original bytes, base64, up to MAX_DEAD_LETTER_BYTES. */
    data: Base64,
    data_bytes: z.number().int().min(0),
    data_sha256: Hex64,
    at: IsoTime,
  })
  .strict();
export type DeadLetter = z.infer<typeof DeadLetter>;

/** De-duplicates a dead letter on the bus: one per actor and stream message. */
export function deadLetterMsgId(actor: string, streamSeq: number): string {
  return `dead:${actor}:${streamSeq}`;
}
