/**
 * Verifies a whole C2SP tlog-tiles log, ours or anyone's: the checkpoint's
 * signature, every tile at every level recomputed from the level-0 leaf
 * hashes, and the root — all public data. Then every entry the source lets
 * this verifier read against its leaf hash (naming the first entry that
 * differs): all of them when the entry bundles are readable, else those the
 * source's `readable` gives (an organisation's own entries), else none. With
 * an `EntryChecker`, entries read are checked for meaning too; other entry
 * types are counted as skipped.
 */
import type { VerifyProblemCode } from "../errors.ts";
import { leafHash, rootFromLeafHashes } from "./merkle.ts";
import { openCheckpoint, type Checkpoint } from "./checkpoint.ts";
import type { NoteVerifier } from "./signed-note.ts";
import { decodeBundle, TILE_WIDTH, TileBuilder, tileHashes, tilePath, tilesForSize, type TileId } from "./tiles.ts";
import type { EntryChecker } from "./verify-entries.ts";
import { ERASURE_ENTRY_TYPE, ErasureRecord, readTombstone } from "./erasure.ts";

export interface TileSource {
  describe: string;
  checkpoint(): Promise<string>;
  /** The bytes at a tlog-tiles path ("tile/0/x001/234.p/5"), or null when absent. */
  get(path: string): Promise<Uint8Array | null>;
  /**
   * When `get` refuses an entry bundle with `EntriesUnreadable`: the entries in [start, start + count) this
   * reader may read, by index. Absent: none of them.
   */
  readable?(start: number, count: number): Promise<Map<number, Uint8Array>>;
}

/** Thrown by a `TileSource` asked for an entry bundle it is not allowed to read (HTTP 401 or 403). */
export class EntriesUnreadable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EntriesUnreadable";
  }
}

export class VerifyError extends Error {
  readonly code: VerifyProblemCode;
  readonly index: number | undefined;
  constructor(code: VerifyProblemCode, message: string, index?: number) {
    super(index === undefined ? `${code}: ${message}` : `entry ${index}: ${code}: ${message}`);
    this.name = "VerifyError";
    this.code = code;
    this.index = index;
  }
}

export interface VerifyReport {
  checkpoint: Checkpoint;
  note: string;
  /** Entries in the verified tree. */
  entries: number;
  /** Entries whose bytes were read and matched their leaf hash (all of them unless entries are private). */
  read: number;
  checked: number;
  /** Entries erased (privacy): a tombstone whose leaf hash is the tile's stands in for the bytes. */
  redacted: number;
  /** Entries checked for meaning, by type. */
  checkedTypes: Map<string, number>;
  skippedTypes: Map<string, number>;
}

export interface VerifyOptions {
  log: NoteVerifier;
  checker?: EntryChecker;
  /** The last checkpoint this verifier verified: the log must not go backwards or fork from it. */
  previous?: Checkpoint;
  onProgress?: (done: number, total: number) => void;
}

export async function verifyTiles(src: TileSource, o: VerifyOptions): Promise<VerifyReport> {
  const note = await src.checkpoint();
  let checkpoint: Checkpoint;
  try {
    checkpoint = openCheckpoint(note, o.log).checkpoint;
  } catch (e) {
    throw new VerifyError("BAD_CHECKPOINT", (e as Error).message);
  }
  const size = checkpoint.size;
  const prev = o.previous;
  if (prev && size < prev.size)
    throw new VerifyError(
      "WENT_BACKWARDS",
      `the log shows ${size} entries; this verifier already verified ${prev.size}`,
    );
  const fetch = async (t: TileId): Promise<Uint8Array> => {
    const data =
      (await src.get(tilePath(t))) ??
      (t.width < TILE_WIDTH ? await src.get(tilePath({ ...t, width: TILE_WIDTH })) : null);
    if (!data) throw new VerifyError("MISSING_TILE", `${tilePath(t)} is missing`);
    return data;
  };
  const builder = new TileBuilder();
  const built = new Map<string, Buffer[]>();
  const leaves: Buffer[] = [];
  const report: VerifyReport = {
    checkpoint,
    note,
    entries: size,
    read: 0,
    checked: 0,
    redacted: 0,
    checkedTypes: new Map(),
    skippedTypes: new Map(),
  };
  const entriesOf = bundleReader(src, fetch, o.checker);
  const erasures = new Erasures();
  for (const t of tilesForSize(size).filter((x) => x.level === 0)) {
    const entries = await entriesOf(t);
    const served = tileHashes((await fetch(t)).subarray(0, t.width * 32));
    if (served.length < t.width) throw new VerifyError("TILE_MISMATCH", `${tilePath(t)} holds too few hashes`);
    for (let i = 0; i < t.width; i++) {
      const index = t.n * TILE_WIDTH + i;
      const entry = entries.get(index);
      if (entry) checkEntry(entry, served[i]!, index, o.checker, report, erasures);
      leaves.push(served[i]!);
    }
    for (const touched of builder.append(leaves.slice(-t.width)))
      built.set(`${touched.level}/${touched.n}`, touched.hashes);
    o.onProgress?.(leaves.length, size);
  }
  for (const t of tilesForSize(size)) {
    if (t.level === 0 || t.level === "entries") continue;
    const want = built.get(`${t.level}/${t.n}`)?.slice(0, t.width) ?? [];
    const served = tileHashes((await fetch(t)).subarray(0, t.width * 32));
    if (want.length !== t.width || want.some((h, i) => !h.equals(served[i]!))) {
      throw new VerifyError("TILE_MISMATCH", `${tilePath(t)} does not match the hashes recomputed from the entries`);
    }
  }
  erasures.check(size);
  if (!builder.root().equals(checkpoint.root))
    throw new VerifyError("ROOT_MISMATCH", `the entries do not lead to the checkpoint's root for size ${size}`);
  if (prev && prev.size > 0 && !rootFromLeafHashes(leaves.slice(0, prev.size)).equals(prev.root)) {
    throw new VerifyError(
      "FORK",
      `the first ${prev.size} entries no longer lead to the root this verifier verified before: history was rewritten`,
    );
  }
  return report;
}

/** One entry read: its bytes must hash to the leaf in its tile, and mean what our types say. */
function checkEntry(
  entry: Uint8Array,
  leaf: Buffer,
  index: number,
  checker: EntryChecker | undefined,
  r: VerifyReport,
  erasures: Erasures,
) {
  const tomb = readTombstone(entry);
  if (tomb) {
    if (tomb.index !== index || !Buffer.from(tomb.leaf_hash, "base64").equals(leaf))
      throw new VerifyError("BAD_TOMBSTONE", "the tombstone's index or leaf hash is not the tile's", index);
    erasures.tombstone(index, tomb.erasure_index);
    r.read++;
    r.redacted++;
    return;
  }
  if (!leafHash(entry).equals(leaf))
    throw new VerifyError(
      "LEAF_MISMATCH",
      "the entry's bytes do not hash to the leaf in its tile (entry edited or tile forged)",
      index,
    );
  r.read++;
  erasures.record(index, entry);
  if (!checker) return;
  const c = checker.check(entry);
  if (!c.ok) throw new VerifyError(c.code, c.message, index);
  if (c.checked) {
    r.checked++;
    r.checkedTypes.set(c.type, (r.checkedTypes.get(c.type) ?? 0) + 1);
  } else r.skippedTypes.set(c.type, (r.skippedTypes.get(c.type) ?? 0) + 1);
}

/**
 * Tombstones and the erasure entries that made them: each tombstone must name a later erasure entry in the
 * tree, and when that entry was read, it must list the tombstone's index.
 */
class Erasures {
  readonly #tombs: [number, number][] = [];
  readonly #lists = new Map<number, Set<number>>();

  tombstone(index: number, by: number): void {
    this.#tombs.push([index, by]);
  }

  record(index: number, entry: Uint8Array): void {
    const text = Buffer.from(entry).toString("utf8");
    if (!text.includes(ERASURE_ENTRY_TYPE)) return;
    try {
      const r = ErasureRecord.safeParse(JSON.parse(text));
      if (r.success) this.#lists.set(index, new Set(r.data.entries_redacted));
    } catch {
      // Not JSON: not an erasure entry.
    }
  }

  check(size: number): void {
    for (const [index, by] of this.#tombs) {
      if (by <= index || by >= size)
        throw new VerifyError("BAD_TOMBSTONE", `the tombstone names erasure entry ${by}, not a later entry`, index);
      const list = this.#lists.get(by);
      if (list && !list.has(index))
        throw new VerifyError("BAD_TOMBSTONE", `erasure entry ${by} does not list this entry as redacted`, index);
    }
  }
}

/** The entries of a level-0 tile's bundle, by index; once bundles are refused, those `readable` gives. */
function bundleReader(src: TileSource, fetch: (t: TileId) => Promise<Uint8Array>, checker: EntryChecker | undefined) {
  let refused = false;
  return async (t: TileId): Promise<Map<number, Uint8Array>> => {
    const first = t.n * TILE_WIDTH;
    if (!refused) {
      let entries: Buffer[];
      try {
        entries = decodeBundle(await fetch({ ...t, level: "entries" })).slice(0, t.width);
      } catch (e) {
        if (e instanceof VerifyError) throw e;
        if (!(e instanceof EntriesUnreadable))
          throw new VerifyError("BAD_BUNDLE", `entry bundle ${t.n}: ${(e as Error).message}`);
        refused = true;
        checker?.readingPart();
        return (await src.readable?.(first, t.width)) ?? new Map();
      }
      if (entries.length < t.width)
        throw new VerifyError("BAD_BUNDLE", `entry bundle ${t.n} holds ${entries.length} entries, not ${t.width}`);
      return new Map(entries.map((e, i) => [first + i, e]));
    }
    return (await src.readable?.(first, t.width)) ?? new Map();
  };
}
