/** Reads the stored log: pages of rows for verification and the public API. */
import type { Db } from "../../lib/db.ts";
import type { ChainRow } from "../../protocol/index.ts";

interface LogRow {
  idx: string | number;
  payment_id: string;
  entry: Buffer;
  prev_hash: Buffer;
  hash: Buffer;
  signature: Buffer;
  [k: string]: unknown;
}

export class LogReader {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async size(): Promise<number> {
    const rows = await this.#db.query<{ n: string }>("SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM siq_log");
    return Number(rows[0]?.n ?? 0);
  }

  async page(start: number, limit: number): Promise<ChainRow[]> {
    const rows = await this.#db.query<LogRow>("SELECT * FROM siq_log WHERE idx >= $1 ORDER BY idx LIMIT $2", [start, limit]);
    return rows.map(toChainRow);
  }

  async forPayment(paymentId: string): Promise<ChainRow[]> {
    const rows = await this.#db.query<LogRow>("SELECT * FROM siq_log WHERE payment_id = $1 ORDER BY idx", [paymentId]);
    return rows.map(toChainRow);
  }

  /** Every row in index order, a page at a time. */
  async *all(pageSize = 1000): AsyncGenerator<ChainRow> {
    for (let start = 0; ; start += pageSize) {
      const rows = await this.page(start, pageSize);
      yield* rows;
      if (rows.length < pageSize) return;
    }
  }
}

function toChainRow(r: LogRow): ChainRow {
  return { index: Number(r.idx), entry: r.entry, prevHash: r.prev_hash, hash: r.hash, signature: r.signature };
}
