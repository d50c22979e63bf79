/**
 * C2SP tlog-tiles: tiles of 256 hashes (height 8), their paths, entry
 * bundles, and a `TileBuilder` that grows a tree leaf by leaf, keeping only
 * the right edge (one partial tile per level) and reporting every tile it
 * touches. The log sequencer stores what it reports; an auditor rebuilds the
 * tiles from the entries and compares them with what a log serves.
 */
import { HASH_SIZE, nodeHash, EMPTY_ROOT } from "./merkle.ts";

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** An entry in a bundle has a 16-bit length prefix. */
export const MAX_BUNDLE_ENTRY = 0xffff;

export interface TileId {
  /** 0..63 for hash tiles; "entries" for entry bundles. */
  level: number | "entries";
  n: number;
  /** 1..256; 256 is a full tile. */
  width: number;
}

/** N as 3-digit groups, every group but the last prefixed with "x": 1234067 → x001/x234/067. */
export function encodeIndex(n: number): string {
  let s = String(n % 1000).padStart(3, "0");
  for (let rest = Math.floor(n / 1000); rest > 0; rest = Math.floor(rest / 1000))
    s = `x${String(rest % 1000).padStart(3, "0")}/${s}`;
  return s;
}

export function tilePath(t: TileId): string {
  const w = t.width === TILE_WIDTH ? "" : `.p/${t.width}`;
  return `tile/${t.level}/${encodeIndex(t.n)}${w}`;
}

/** Parses "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]" (the part after the log prefix). */
export function parseTilePath(path: string): TileId | null {
  const m = /^tile\/(entries|\d{1,2})\/((?:x\d{3}\/)*)(\d{3})(?:\.p\/(\d{1,3}))?$/.exec(path);
  if (!m) return null;
  const level = m[1] === "entries" ? "entries" : Number(m[1]);
  if (typeof level === "number" && level > 63) return null;
  const groups = [...(m[2] ?? "").matchAll(/x(\d{3})\//g)].map((g) => g[1]!);
  if (groups[0] === "000") return null; // no leading zero groups
  let n = 0;
  for (const g of [...groups, m[3]!]) n = n * 1000 + Number(g);
  const width = m[4] === undefined ? TILE_WIDTH : Number(m[4]);
  if (!(width >= 1 && width < TILE_WIDTH) && m[4] !== undefined) return null;
  if (!Number.isSafeInteger(n)) return null;
  return { level, n, width };
}

/** Every tile (and bundle) a client needs for a tree of `size`, lowest level first. */
export function tilesForSize(size: number, opts: { entries?: boolean } = {}): TileId[] {
  const out: TileId[] = [];
  for (let level = 0, count = size; count > 0; level++, count = Math.floor(count / TILE_WIDTH)) {
    const full = Math.floor(count / TILE_WIDTH);
    for (let n = 0; n < full; n++) out.push({ level, n, width: TILE_WIDTH });
    if (count % TILE_WIDTH) out.push({ level, n: full, width: count % TILE_WIDTH });
    if (level === 0 && opts.entries) for (const t of [...out]) out.push({ ...t, level: "entries" });
  }
  return out;
}

export function encodeBundle(entries: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.length > MAX_BUNDLE_ENTRY) throw new RangeError(`entry of ${e.length} bytes does not fit a bundle`);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(e.length);
    parts.push(len, Buffer.from(e.buffer, e.byteOffset, e.byteLength));
  }
  return Buffer.concat(parts);
}

export function decodeBundle(data: Uint8Array): Buffer[] {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out: Buffer[] = [];
  for (let at = 0; at < buf.length;) {
    if (at + 2 > buf.length) throw new RangeError("truncated entry bundle");
    const len = buf.readUInt16BE(at);
    if (at + 2 + len > buf.length) throw new RangeError("truncated entry bundle");
    out.push(buf.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}

/** Splits a tile's bytes into its hashes. */
export function tileHashes(data: Uint8Array): Buffer[] {
  if (data.length % HASH_SIZE !== 0 || data.length === 0 || data.length > TILE_WIDTH * HASH_SIZE) {
    throw new RangeError(`a tile is 1..256 hashes, not ${data.length} bytes`);
  }
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Array.from({ length: data.length / HASH_SIZE }, (_, i) => buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
}

/** Hash of a perfect subtree over 2^k hashes. */
export function perfectRoot(hashes: readonly Uint8Array[]): Buffer {
  let level: Buffer[] = hashes.map((h) => Buffer.from(h));
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!;
}

export interface TouchedTile {
  level: number;
  n: number;
  /** The tile's hashes so far (a prefix of the full tile). */
  hashes: Buffer[];
}

export class TileBuilder {
  #size: number;
  /** edge[L] = the hashes of level L's rightmost, unfinished tile. */
  #edge: Buffer[][];

  constructor(size = 0, edge: Buffer[][] = []) {
    this.#size = size;
    this.#edge = edge.map((t) => [...t]);
  }

  get size(): number {
    return this.#size;
  }

  clone(): TileBuilder {
    return new TileBuilder(this.#size, this.#edge);
  }

  /** Adds leaf hashes; returns every tile changed, with its content so far. */
  append(leaves: readonly Uint8Array[]): TouchedTile[] {
    const touched = new Map<string, TouchedTile>();
    const push = (level: number, h: Buffer, countAtLevel: number): void => {
      const tile = (this.#edge[level] ??= []);
      tile.push(h);
      const n = Math.floor((countAtLevel - 1) / TILE_WIDTH);
      touched.set(`${level}/${n}`, { level, n, hashes: [...tile] });
      if (tile.length === TILE_WIDTH) {
        this.#edge[level] = [];
        push(level + 1, perfectRoot(tile), Math.floor(countAtLevel / TILE_WIDTH));
      }
    };
    for (const leaf of leaves) {
      this.#size++;
      push(0, Buffer.from(leaf), this.#size);
    }
    return [...touched.values()];
  }

  /** The root of the tree so far, from the right edge alone. */
  root(): Buffer {
    if (this.#size === 0) return EMPTY_ROOT;
    let acc: Buffer | undefined;
    for (let level = 0; level < this.#edge.length; level++) {
      const tile = this.#edge[level] ?? [];
      // Within a tile, the edge's perfect subtrees by decreasing size, then fold them right to left.
      let at = tile.length;
      for (let bit = 0; bit < TILE_HEIGHT; bit++) {
        const size = 2 ** bit;
        if (!(tile.length & size)) continue;
        const sub = perfectRoot(tile.slice(at - size, at));
        at -= size;
        acc = acc ? nodeHash(sub, acc) : sub;
      }
    }
    return acc!;
  }
}
