/** How far behind each durable consumer of a stream is: messages not yet delivered, and delivered but not acked. */
import type { JetStreamManager } from "@nats-io/jetstream";
import type { ConsumerBacklog } from "./types.ts";

export async function jetStreamBacklog(jsm: JetStreamManager, streams: readonly string[]): Promise<ConsumerBacklog[]> {
  const out: ConsumerBacklog[] = [];
  for (const stream of streams) {
    const info = await jsm.streams.info(stream).catch(() => undefined);
    if (!info) continue;
    for await (const c of jsm.consumers.list(stream))
      out.push({
        stream,
        consumer: c.name,
        pending: c.num_pending,
        ackPending: c.num_ack_pending,
        streamLastSeq: info.state.last_seq,
        ackFloorSeq: c.ack_floor.stream_seq,
      });
  }
  return out;
}
