/**
 * The log sequencer: the single writer of the verdict log. Decisions arriving
 * close together are appended in one transaction that also records each
 * payment's outcome, so a decision is either logged and applied, or neither.
 */
import { Batcher } from "../../lib/batcher.ts";
import type { Db, Queryable } from "../../lib/db.ts";
import {
  chainHash,
  entryBytes,
  GENESIS_HASH,
  MAX_ENTRY_BYTES,
  type CanonicalBytes,
  signHead,
  type PaymentStatus,
  type QuorumDecision,
  type Settlement,
  type Signer,
} from "../../protocol/index.ts";

export interface Finalized {
  decision: QuorumDecision;
  status: PaymentStatus;
  settlement: Settlement | null;
}

/**
 * Any other self-describing entry (its JCS object names its `type`, e.g.
 * "sentineliq.audit.v1"), with the change it records: `apply` runs in the
 * same transaction as the append, so both happen or neither does.
 */
export interface LogRecord {
  /** What the entry is about (stored beside it, e.g. "audit:<hash>"). */
  key: string;
  entry: CanonicalBytes;
  apply(q: Queryable, index: number): Promise<void>;
}

type Item = Finalized | LogRecord;
const isRecord = (i: Item): i is LogRecord => "entry" in i;

export class LogSequencer {
  readonly #db: Db;
  readonly #signer: Signer;
  readonly #origin: string;
  readonly #batcher: Batcher<Item, number>;
  #next = 0;
  #prev: Buffer = GENESIS_HASH;

  constructor(db: Db, signer: Signer, origin: string) {
    this.#db = db;
    this.#signer = signer;
    this.#origin = origin;
    this.#batcher = new Batcher((items) => this.#appendBatch(items), { maxBatch: 512, maxInFlight: 1 });
  }

  async init(): Promise<void> {
    const rows = await this.#db.query<{ idx: string; hash: Buffer }>("SELECT idx, hash FROM siq_log ORDER BY idx DESC LIMIT 1");
    if (rows[0]) {
      this.#next = Number(rows[0].idx) + 1;
      this.#prev = Buffer.from(rows[0].hash);
    }
  }

  get size(): number {
    return this.#next;
  }

  /** Appends the decision and applies its outcome; resolves to its log index. */
  append(f: Finalized): Promise<number> {
    return this.#batcher.push(f);
  }

  /** Appends another kind of entry and applies its change; resolves to its log index. */
  appendRecord(r: LogRecord): Promise<number> {
    if (r.entry.length > MAX_ENTRY_BYTES) return Promise.reject(new RangeError(`log entry is ${r.entry.length} bytes, over ${MAX_ENTRY_BYTES}`));
    return this.#batcher.push(r);
  }

  async #appendBatch(all: Item[]): Promise<number[]> {
    const items = all.filter((i): i is Finalized => !isRecord(i));
    let prev = this.#prev;
    const idx: number[] = [];
    const entries: string[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    const sigs: string[] = [];
    const payIdx: number[] = [];
    all.forEach((f, i) => {
      const index = this.#next + i;
      const bytes = isRecord(f) ? f.entry : entryBytes(f.decision);
      if (!isRecord(f)) payIdx.push(index);
      const hash = chainHash(prev, bytes);
      idx.push(index);
      entries.push(Buffer.from(bytes).toString("hex"));
      prevs.push(prev.toString("hex"));
      hashes.push(hash.toString("hex"));
      sigs.push(signHead(this.#signer, this.#origin, index, hash).toString("hex"));
      prev = hash;
    });
    const pids = items.map((f) => f.decision.payment_id);
    const keys = all.map((f) => (isRecord(f) ? f.key : f.decision.payment_id));
    await this.#db.tx(async (q) => {
      await q.query(
        `INSERT INTO siq_log (idx, payment_id, entry, prev_hash, hash, signature)
         SELECT i, p, decode(e, 'hex'), decode(ph, 'hex'), decode(h, 'hex'), decode(s, 'hex')
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS v(i, p, e, ph, h, s)`,
        [idx, keys, entries, prevs, hashes, sigs],
      );
      await q.query(
        `UPDATE siq_payments AS p
         SET status = v.st, risk_level = v.rl, decision = v.de, reasons = v.re::jsonb, settlement = v.se::jsonb,
             log_index = v.i, decided_at = v.da::timestamptz, updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[])
              AS v(id, st, rl, de, re, se, i, da)
         WHERE p.payment_id = v.id`,
        [
          pids,
          items.map((f) => f.status),
          items.map((f) => f.decision.risk_level),
          items.map((f) => f.decision.decision),
          items.map((f) => JSON.stringify(f.decision.reasons)),
          items.map((f) => (f.settlement ? JSON.stringify(f.settlement) : null)),
          payIdx,
          items.map((f) => f.decision.decided_at),
        ],
      );
      for (let i = 0; i < all.length; i++) {
        const r = all[i]!;
        if (isRecord(r)) await r.apply(q, idx[i]!);
      }
    });
    this.#next += all.length;
    this.#prev = prev;
    return idx;
  }
}
