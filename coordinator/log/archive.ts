/**
 * The immutable archive: every tile and entry bundle a published checkpoint
 * needs, written as files under `<dir>/tile/...` (the tlog-tiles layout), and
 * the checkpoint itself at `<dir>/checkpoint`. A file once written is never
 * rewritten (tiles only grow, and a partial tile has its own path).
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { encodeBundle, tilePath, tilesForSize, TILE_WIDTH, type TileId } from "../../protocol/index.ts";
import type { LogStore } from "./store.ts";

export class TileArchive {
  readonly #dir: string;
  readonly #store: LogStore;
  #done = 0;

  constructor(dir: string, store: LogStore) {
    this.#dir = dir;
    this.#store = store;
  }

  /** Writes what is missing for a tree of `size`, then the checkpoint. */
  async write(size: number, checkpoint: string): Promise<number> {
    let written = 0;
    // Full tiles below the last one we wrote are already there.
    const skipBelow = Math.floor(this.#done / TILE_WIDTH);
    for (const t of tilesForSize(size, { entries: true })) {
      if (t.level === 0 || t.level === "entries") {
        if (t.n < skipBelow && t.width === TILE_WIDTH) continue;
      }
      const file = join(this.#dir, tilePath(t));
      if (existsSync(file)) continue;
      atomicWrite(file, await this.#content(t));
      written++;
    }
    atomicWrite(join(this.#dir, "checkpoint"), Buffer.from(checkpoint));
    this.#done = size;
    return written;
  }

  async #content(t: TileId): Promise<Buffer> {
    if (t.level === "entries") {
      const rows = await this.#store.entries(t.n * TILE_WIDTH, t.width);
      return encodeBundle(rows.map((r) => r.entry));
    }
    const data = await this.#store.tile(t.level, t.n);
    if (!data || data.length < t.width * 32) throw new Error(`tile ${t.level}/${t.n} is not stored`);
    return data.subarray(0, t.width * 32);
  }
}

function atomicWrite(file: string, data: Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
