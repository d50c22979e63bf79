/** KvBucket in process, for the in-process bus: the same contract as NATS KV, nothing kept across restarts. */
import type { KvBucket, KvEntry, KvWatch } from "./types.ts";

interface Bucket {
  entries: Map<string, KvEntry>;
  revision: number;
  watchers: Set<(e: KvEntry) => void>;
}

/** One namespace of buckets; every caller of the same bus shares it. */
export function memoryKv(): (name: string) => Promise<KvBucket> {
  const buckets = new Map<string, Bucket>();
  return (name) => {
    let b = buckets.get(name);
    if (!b) buckets.set(name, (b = { entries: new Map(), revision: 0, watchers: new Set() }));
    return Promise.resolve(bucketApi(b));
  };
}

// Everything here happens at once; the promises are the interface's, which NATS KV needs.
function bucketApi(b: Bucket): KvBucket {
  return {
    put: (key, value) =>
      Promise.try(() => {
        const e: KvEntry = { key, value: Uint8Array.from(value), revision: ++b.revision };
        b.entries.set(key, e);
        for (const w of b.watchers) w(e);
        return e.revision;
      }),
    get: (key) => Promise.resolve(b.entries.get(key) ?? null),
    watch: () => Promise.resolve(watch(b)),
    revision: () => Promise.resolve(b.revision),
  };
}

function watch(b: Bucket): KvWatch {
  const queue: KvEntry[] = [...b.entries.values()].sort((x, y) => x.revision - y.revision);
  let wake: (() => void) | undefined;
  let stopped = false;
  const push = (e: KvEntry) => {
    queue.push(e);
    wake?.();
  };
  b.watchers.add(push);
  const iterator: AsyncIterator<KvEntry> = {
    async next() {
      while (!stopped) {
        const e = queue.shift();
        if (e) return { done: false, value: e };
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      return { done: true, value: undefined };
    },
    // Breaking out of a loop leaves the watch running for the next loop.
    return: () => Promise.resolve({ done: true, value: undefined }),
  };
  return {
    [Symbol.asyncIterator]: () => iterator,
    stop() {
      stopped = true;
      b.watchers.delete(push);
      wake?.();
      return Promise.resolve();
    },
  };
}
