/**
 * Reads the stored log: entries, tiles, signed checkpoints, and the hashes
 * proofs are made of. Full tiles never change, so they are cached.
 */
import type { Db, Row } from "../../lib/db.ts";
import {
  consistencyRanges,
  EMPTY_ROOT,
  inclusionRanges,
  perfectRoot,
  rangeHash,
  TILE_HEIGHT,
  TILE_WIDTH,
  tileHashes,
  SiqError,
  TOMBSTONE_TYPE,
} from "../../protocol/index.ts";

export interface StoredEntry {
  index: number;
  key: string;
  type: string;
  paymentId: string | null;
  entry: Buffer;
}

export interface StoredCheckpoint {
  size: number;
  root: Buffer;
  signedNote: string;
  cosignedNote: string | null;
}

export type EntryRow = Row & {
  idx: string | number;
  entry_key: string;
  entry_type: string;
  payment_id: string | null;
  entry: Buffer;
};
type CheckpointRow = Row & { size: string | number; root: Buffer; signed_note: string; cosigned_note: string | null };

export const toEntry = (r: EntryRow): StoredEntry => ({
  index: Number(r.idx),
  key: r.entry_key,
  type: r.entry_type,
  paymentId: r.payment_id,
  entry: r.entry,
});
const toCheckpoint = (r: CheckpointRow): StoredCheckpoint => ({
  size: Number(r.size),
  root: r.root,
  signedNote: r.signed_note,
  cosignedNote: r.cosigned_note,
});

export class LogStore {
  readonly #db: Db;
  readonly #fullTiles = new Map<string, Buffer>();

  constructor(db: Db) {
    this.#db = db;
  }

  get db(): Db {
    return this.#db;
  }

  async size(): Promise<number> {
    const rows = await this.#db.query<{ n: string }>("SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM siq_log_entries");
    return Number(rows[0]?.n ?? 0);
  }

  async entries(start: number, limit: number): Promise<StoredEntry[]> {
    const rows = await this.#db.query<EntryRow>("SELECT * FROM siq_log_entries WHERE idx >= $1 ORDER BY idx LIMIT $2", [
      start,
      limit,
    ]);
    return rows.map(toEntry);
  }

  async forPayment(paymentId: string): Promise<StoredEntry[]> {
    const rows = await this.#db.query<EntryRow>("SELECT * FROM siq_log_entries WHERE payment_id = $1 ORDER BY idx", [
      paymentId,
    ]);
    return rows.map(toEntry);
  }

  /** Every entry in index order, a page at a time. */
  async *all(pageSize = 2000): AsyncGenerator<StoredEntry> {
    for (let start = 0; ; start += pageSize) {
      const rows = await this.entries(start, pageSize);
      yield* rows;
      if (rows.length < pageSize) return;
    }
  }

  /** The entry bundles (tile numbers) holding a tombstone: those an erasure rewrites in the archive. */
  async redactedTiles(): Promise<number[]> {
    const rows = await this.#db.query<{ n: string }>(
      `SELECT DISTINCT idx / ${TILE_WIDTH} AS n FROM siq_log_entries WHERE entry_type = $1 ORDER BY n`,
      [TOMBSTONE_TYPE],
    );
    return rows.map((r) => Number(r.n));
  }

  /** A tile's stored hashes (a prefix of the full tile), or undefined. */
  async tile(level: number, n: number): Promise<Buffer | undefined> {
    const key = `${level}/${n}`;
    const cached = this.#fullTiles.get(key);
    if (cached) return cached;
    const rows = await this.#db.query<{ hashes: Buffer }>(
      "SELECT hashes FROM siq_log_tiles WHERE level = $1 AND n = $2",
      [level, n],
    );
    const data = rows[0]?.hashes;
    if (data && data.length === TILE_WIDTH * 32) {
      if (this.#fullTiles.size > 20_000) this.#fullTiles.clear();
      this.#fullTiles.set(key, data);
    }
    return data;
  }

  /** Hash of the perfect subtree of `height` at `index`, from the tiles. */
  readonly perfectHash = async (height: number, index: number): Promise<Buffer> => {
    const level = Math.floor(height / TILE_HEIGHT);
    const span = 2 ** (height % TILE_HEIGHT);
    const first = index * span;
    const n = Math.floor(first / TILE_WIDTH);
    const data = await this.tile(level, n);
    const at = first % TILE_WIDTH;
    if (!data || data.length < (at + span) * 32)
      throw new SiqError("LOG_TAMPERED", `tile ${level}/${n} is missing hashes the tree needs`);
    return perfectRoot(tileHashes(data).slice(at, at + span));
  };

  async inclusionProof(index: number, size: number): Promise<Buffer[]> {
    return Promise.all(inclusionRanges(index, size).map(([lo, hi]) => rangeHash(lo, hi, this.perfectHash)));
  }

  async consistencyProof(first: number, second: number): Promise<Buffer[]> {
    return Promise.all(consistencyRanges(first, second).map(([lo, hi]) => rangeHash(lo, hi, this.perfectHash)));
  }

  async rootAt(size: number): Promise<Buffer> {
    return size === 0 ? EMPTY_ROOT : rangeHash(0, size, this.perfectHash);
  }

  async lastSigned(): Promise<StoredCheckpoint | undefined> {
    const rows = await this.#db.query<CheckpointRow>("SELECT * FROM siq_log_checkpoints ORDER BY size DESC LIMIT 1");
    return rows[0] ? toCheckpoint(rows[0]) : undefined;
  }

  async lastPublished(): Promise<StoredCheckpoint | undefined> {
    const rows = await this.#db.query<CheckpointRow>(
      "SELECT * FROM siq_log_checkpoints WHERE cosigned_note IS NOT NULL ORDER BY size DESC LIMIT 1",
    );
    return rows[0] ? toCheckpoint(rows[0]) : undefined;
  }

  async raiseAlarm(kind: string, detail: Record<string, unknown>): Promise<void> {
    await this.#db.query("INSERT INTO siq_log_alarms (kind, detail) VALUES ($1, $2::jsonb)", [
      kind,
      JSON.stringify(detail),
    ]);
  }
}
