/** KvBucket on NATS KV (@nats-io/kv): a JetStream stream keeping the last value per key. */
import type { JetStreamClient } from "@nats-io/jetstream";
import { Kvm, KvWatchInclude, type KV } from "@nats-io/kv";
import type { KvBucket, KvEntry } from "./types.ts";

export async function openJetStreamKv(js: JetStreamClient, bucket: string): Promise<KvBucket> {
  const kv: KV = await new Kvm(js).create(bucket, { history: 1 });
  const entry = (e: { key: string; value: Uint8Array; revision: number }): KvEntry => ({
    key: e.key,
    value: e.value,
    revision: e.revision,
  });
  return {
    put: (key, value) => kv.put(key, value),

    async get(key) {
      const e = await kv.get(key);
      return e && e.operation === "PUT" ? entry(e) : null;
    },

    async watch() {
      const it = await kv.watch({ include: KvWatchInclude.LastValue, ignoreDeletes: true });
      const inner = it[Symbol.asyncIterator]();
      const iterator: AsyncIterator<KvEntry> = {
        async next() {
          for (;;) {
            const r = await inner.next();
            if (r.done) return { done: true, value: undefined };
            if (r.value.operation === "PUT") return { done: false, value: entry(r.value) };
          }
        },
        // Breaking out of a loop leaves the watch running for the next loop.
        return: () => Promise.resolve({ done: true, value: undefined }),
      };
      return {
        [Symbol.asyncIterator]: () => iterator,
        stop: () => Promise.try(() => it.stop()),
      };
    },

    async revision() {
      const status = await kv.status();
      return status.streamInfo.state.last_seq;
    },
  };
}
