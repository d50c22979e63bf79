/**
 * The archive: every tile and entry bundle a published checkpoint needs, in the tlog-tiles layout
 * (`tile/...`), then the checkpoint itself (`checkpoint`), in a directory or an S3 bucket (an `ArchiveStore`).
 * A tile once written is never rewritten (tiles only grow, and a partial tile has its own path); the
 * checkpoint is written last, so the archive's checkpoint never names a tile the archive lacks.
 *
 * Writing never blocks sequencing or publishing: `offer` records the latest published checkpoint and a
 * worker of its own catches the archive up to it, retrying with backoff while the store fails. Nothing is
 * lost meanwhile: the database holds every tile and entry, and the next attempt writes all that is missing.
 *
 * Erasure is the one exception to write-once: `redact` (told by the erasure service which entries it
 * replaced with tombstones) has the worker rewrite every archived entry bundle holding one of them from the
 * database, after `checkRedaction` proves only tombstones changed (archive-redact.ts). Hash tiles and
 * checkpoints are never rewritten. At start the worker re-checks every bundle holding a tombstone, so an
 * erasure whose rewrite a restart interrupted still reaches the archive.
 */
import type { Logger } from "../../lib/logger.ts";
import { encodeBundle, parseTilePath, tilePath, tilesForSize, TILE_WIDTH, type TileId } from "../../protocol/index.ts";
import type { Metrics } from "../metrics.ts";
import { redactBundles, RedactionRefused } from "./archive-redact.ts";
import type { LogStore } from "./store.ts";

/**
 * Where the archive's objects go. `create` never replaces an object; only the checkpoint is replaced, and an
 * entry bundle when entries in it are erased (`replaceBundle`, which refuses any other path).
 */
export interface ArchiveStore {
  readonly describe: string;
  /** Checks the store is usable (S3: the bucket, and whether it locks objects) before the first write. */
  open(): Promise<void>;
  has(path: string): Promise<boolean>;
  /** Writes an object that does not exist yet; one that does is left as it is. */
  create(path: string, data: Buffer): Promise<void>;
  putCheckpoint(data: Buffer): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  read(path: string): Promise<Buffer | undefined>;
  /** The objects that exist of a tile: `path` itself and its partial versions (`path.p/<width>`). */
  versions(path: string): Promise<string[]>;
  /** Writes over an entry bundle (erasure: its tombstones); throws for any other path. */
  replaceBundle(path: string, data: Buffer): Promise<void>;
}

/** Only entry bundles are ever rewritten: hash tiles and checkpoints hold no personal data. */
export function assertBundlePath(path: string): void {
  if (parseTilePath(path)?.level !== "entries") throw new Error(`${path} is not an entry bundle: never rewritten`);
}

export interface TileArchiveComponents {
  store: ArchiveStore;
  log: LogStore;
  logger: Logger;
  metrics: Metrics | null;
  /** First retry delay, doubled per failure up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

export class TileArchive {
  readonly #c: TileArchiveComponents;
  #opened = false;
  #done = 0;
  #pending: { size: number; checkpoint: string } | undefined;
  /** Entry bundles (by tile number) to rewrite with their tombstones. */
  readonly #redact = new Set<number>();
  #worker: Promise<void> | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(c: TileArchiveComponents) {
    this.#c = c;
  }

  /** The tree size of the last checkpoint written to the archive (0: none yet, in this process). */
  get size(): number {
    return this.#done;
  }

  /** Asks for the archive to catch up to this published checkpoint; returns at once. */
  offer(size: number, checkpoint: string): void {
    if (this.#stopped || size < (this.#pending?.size ?? 0) || size < this.#done) return;
    this.#pending = { size, checkpoint };
    this.#start();
  }

  /** Asks for the archived bundles holding these (erased) entries to be rewritten; returns at once. */
  redact(indices: readonly number[]): void {
    if (this.#stopped || indices.length === 0) return;
    for (const i of indices) this.#redact.add(Math.floor(i / TILE_WIDTH));
    this.#start();
  }

  #start(): void {
    this.#worker ??= this.#run().finally(() => (this.#worker = undefined));
  }

  /** Resolves once every offered checkpoint is written (or the archive stopped). */
  async idle(): Promise<void> {
    while (this.#worker) await this.#worker;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#worker;
  }

  async #run(): Promise<void> {
    let delay = this.#c.retryMs ?? 1000;
    while ((this.#pending || this.#redact.size > 0) && !this.#stopped) {
      const target = this.#pending;
      try {
        if (target) {
          const written = await this.write(target.size, target.checkpoint);
          if (this.#pending === target) this.#pending = undefined;
          this.#c.metrics?.logArchiveSize.set(target.size);
          this.#c.logger.debug({ size: target.size, written, store: this.#c.store.describe }, "archive written");
        }
        await this.#rewrite();
        delay = this.#c.retryMs ?? 1000;
      } catch (e) {
        const err = e as Error;
        this.#c.metrics?.logArchiveFailures.inc();
        this.#c.logger.warn(
          { size: target?.size, err: err.message, retry_ms: delay, store: this.#c.store.describe },
          "archive write failed; retrying",
        );
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          t.unref();
          this.#wake = () => (clearTimeout(t), resolve());
        });
        this.#wake = undefined;
        delay = Math.min(delay * 2, this.#c.maxRetryMs ?? 30_000);
      }
    }
  }

  /** Rewrites the bundles `redact` asked for; a store failure throws (retried), a refusal is logged and counted. */
  async #rewrite(): Promise<void> {
    if (this.#redact.size > 0) await this.#open();
    for (const n of [...this.#redact].sort((a, b) => a - b)) {
      // Taken off first: an erasure asking for this bundle meanwhile has it read again.
      this.#redact.delete(n);
      try {
        const written = await redactBundles(this.#c.store, this.#c.log, n);
        if (written > 0) this.#c.logger.info({ bundle: n, written, store: this.#c.store.describe }, "archive redacted");
      } catch (e) {
        if (!(e instanceof RedactionRefused)) {
          this.#redact.add(n);
          throw e;
        }
        this.#c.metrics?.logArchiveRedactionsRefused.inc();
        this.#c.logger.error({ bundle: n, err: e.message, store: this.#c.store.describe }, "archive redaction refused");
      }
    }
  }

  async #open(): Promise<void> {
    if (this.#opened) return;
    await this.#c.store.open();
    for (const n of await this.#c.log.redactedTiles()) this.#redact.add(n);
    this.#opened = true;
  }

  /** Writes what is missing for a tree of `size`, then the checkpoint; the number of objects written. */
  async write(size: number, checkpoint: string): Promise<number> {
    const { store } = this.#c;
    await this.#open();
    let written = 0;
    // Full tiles below the last size written are already there.
    const skipBelow = Math.floor(this.#done / TILE_WIDTH);
    for (const t of tilesForSize(size, { entries: true })) {
      if ((t.level === 0 || t.level === "entries") && t.n < skipBelow && t.width === TILE_WIDTH) continue;
      const path = tilePath(t);
      if (await store.has(path)) continue;
      await store.create(path, await this.#content(t));
      written++;
    }
    await store.putCheckpoint(Buffer.from(checkpoint));
    this.#done = Math.max(this.#done, size);
    return written;
  }

  async #content(t: TileId): Promise<Buffer> {
    if (t.level === "entries") {
      const rows = await this.#c.log.entries(t.n * TILE_WIDTH, t.width);
      return encodeBundle(rows.map((r) => r.entry));
    }
    const data = await this.#c.log.tile(t.level, t.n);
    if (!data || data.length < t.width * 32) throw new Error(`tile ${t.level}/${t.n} is not stored`);
    return data.subarray(0, t.width * 32);
  }
}
