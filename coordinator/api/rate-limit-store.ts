/**
 * The plugin's in-memory store, answering with a copy of each count. Its own hands back the live
 * counter, which later requests of the same burst raise before the first reads it: all of a burst
 * of 8 under a limit of 5 were refused. With a copy, each request sees the count it made.
 */
import { createRequire } from "node:module";
import type { FastifyRateLimitOptions, FastifyRateLimitStore } from "@fastify/rate-limit";

type Store = FastifyRateLimitStore;
type Callback = Parameters<Store["incr"]>[1];
type StoreClass = new (continueExceeding: boolean, exponentialBackoff: boolean, cache?: number) => Store;

const LocalStore = createRequire(import.meta.url)("@fastify/rate-limit/store/LocalStore.js") as StoreClass;

export class SnapshotStore implements FastifyRateLimitStore {
  readonly #inner: Store;

  constructor(params: FastifyRateLimitOptions | Store) {
    // Fixed windows, as configured: no `continueExceeding`, no back-off; 5000 keys per limit, least recent out.
    this.#inner = "incr" in params ? params : new LocalStore(false, false, 5000);
  }

  incr(key: string, cb: Callback, timeWindow: number, max: number): void {
    this.#inner.incr(key, (err, res) => cb(err, res && { current: res.current, ttl: res.ttl }), timeWindow, max);
  }

  child(params: Parameters<Store["child"]>[0]): SnapshotStore {
    return new SnapshotStore(this.#inner.child(params));
  }
}
