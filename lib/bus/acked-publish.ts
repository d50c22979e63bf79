/**
 * JetStream publish with acknowledgement, lean enough for the hot path: one
 * reply subscription for every publish on the connection, instead of one
 * request (with its timers and error objects) per message. Same semantics as
 * `js.publish`: resolves with the stream's PubAck, rejects on a JetStream
 * error, no stream (503) or timeout.
 */
import { createInbox, headers, type NatsConnection } from "@nats-io/transport-node";
import { BUS_REQUEST_ID_HEADER } from "../../protocol/index.ts";
import { SiqError } from "../../protocol/index.ts";

interface Waiting {
  resolve: (ack: { duplicate: boolean; seq: number }) => void;
  reject: (e: Error) => void;
  at: number;
}

export interface AckedPublisher {
  publish(
    subject: string,
    data: Uint8Array,
    msgId?: string,
    requestId?: string,
  ): Promise<{ duplicate: boolean; seq: number }>;
  close(): void;
}

/** `inboxPrefix`: the connection's (its role's), under which the acknowledgements come back. */
export function ackedPublisher(nc: NatsConnection, inboxPrefix?: string, timeoutMs = 5000): AckedPublisher {
  const prefix = createInbox(inboxPrefix);
  const waiting = new Map<string, Waiting>();
  let next = 0;
  const decoder = new TextDecoder();

  const sub = nc.subscribe(`${prefix}.*`, {
    callback: (err, msg) => {
      if (err) return;
      const id = msg.subject.slice(prefix.length + 1);
      const w = waiting.get(id);
      if (!w) return;
      waiting.delete(id);
      if (msg.headers?.hasError && msg.headers.code === 503) {
        w.reject(new SiqError("BUS_UNAVAILABLE", "no JetStream stream is listening on this subject"));
        return;
      }
      try {
        const ack = JSON.parse(decoder.decode(msg.data)) as {
          seq?: number;
          duplicate?: boolean;
          error?: { description: string };
        };
        if (ack.error)
          w.reject(new SiqError("BUS_UNAVAILABLE", `JetStream refused the message: ${ack.error.description}`));
        else w.resolve({ duplicate: ack.duplicate === true, seq: ack.seq ?? 0 });
      } catch (cause) {
        w.reject(new SiqError("BUS_UNAVAILABLE", "unreadable JetStream acknowledgement", { cause }));
      }
    },
  });

  const sweep = setInterval(() => {
    const cutoff = Date.now() - timeoutMs;
    for (const [id, w] of waiting) {
      if (w.at >= cutoff) break; // insertion order is age order
      waiting.delete(id);
      w.reject(new SiqError("BUS_UNAVAILABLE", `no JetStream acknowledgement within ${timeoutMs} ms`));
    }
  }, 250);
  sweep.unref();

  return {
    publish(subject, data, msgId, requestId) {
      const id = (next++).toString(36);
      const h = msgId === undefined && requestId === undefined ? undefined : headers();
      if (h && msgId !== undefined) h.set("Nats-Msg-Id", msgId);
      if (h && requestId !== undefined) h.set(BUS_REQUEST_ID_HEADER, requestId);
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject, at: Date.now() });
        try {
          nc.publish(subject, data, { reply: `${prefix}.${id}`, ...(h ? { headers: h } : {}) });
        } catch (e) {
          waiting.delete(id);
          reject(new SiqError("BUS_UNAVAILABLE", `cannot publish: ${(e as Error).message}`, { cause: e }));
        }
      });
    },
    close() {
      clearInterval(sweep);
      sub.unsubscribe();
      for (const w of waiting.values()) w.reject(new SiqError("BUS_UNAVAILABLE", "connection closing"));
      waiting.clear();
    },
  };
}
