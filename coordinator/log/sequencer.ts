/**
 * The log sequencer: the single writer of the verdict log. Decisions arriving
 * close together are appended in one transaction that also records each
 * payment's outcome, so a decision is either logged and applied, or neither.
 */
import { Batcher } from "../../lib/batcher.ts";
import type { Db, Queryable } from "../../lib/db.ts";
import {
  canonicalBytes,
  chainHash,
  MAX_ENTRY_BYTES,
  entryBytes,
  GENESIS_HASH,
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

/** Any log record: a JCS object naming its type, and the payment it concerns if it concerns one. */
export interface LogRecord {
  type: string;
  payment_id?: string;
  [field: string]: unknown;
}

/** How a record is kept: what it is about (default: its payment), and a change made in the same transaction. */
export interface RecordOptions {
  /** Stored beside the entry (e.g. "audit:<hash>"); defaults to the record's payment_id. */
  key?: string;
  /** Runs in the append's transaction, so the entry and its change happen together or not at all. */
  apply?: (q: Queryable, index: number) => Promise<void>;
}

interface Item {
  record: LogRecord;
  key: string;
  /** A decision also moves its payment to its outcome, in the same transaction. */
  outcome?: Finalized;
  apply?: RecordOptions["apply"];
}

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
    return this.#batcher.push({ record: f.decision, key: f.decision.payment_id, outcome: f });
  }

  /** Appends another kind of record (challenge issued, answered, expired, an audit registry change, ...). */
  appendRecord(record: LogRecord, opts: RecordOptions = {}): Promise<number> {
    if (canonicalBytes(record).length > MAX_ENTRY_BYTES) return Promise.reject(new RangeError("log record over 64 KiB"));
    const key = opts.key ?? record.payment_id;
    if (!key) return Promise.reject(new TypeError(`a ${record.type} record needs a payment_id or a key`));
    return this.#batcher.push({ record, key, ...(opts.apply ? { apply: opts.apply } : {}) });
  }

  async #appendBatch(items: Item[]): Promise<number[]> {
    let prev = this.#prev;
    const idx: number[] = [];
    const entries: string[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    const sigs: string[] = [];
    items.forEach((f, i) => {
      const index = this.#next + i;
      const bytes = f.outcome ? entryBytes(f.outcome.decision) : canonicalBytes(f.record);
      const hash = chainHash(prev, bytes);
      idx.push(index);
      entries.push(Buffer.from(bytes).toString("hex"));
      prevs.push(prev.toString("hex"));
      hashes.push(hash.toString("hex"));
      sigs.push(signHead(this.#signer, this.#origin, index, hash).toString("hex"));
      prev = hash;
    });
    const pids = items.map((f) => f.key);
    const decided = items.flatMap((f, i) => (f.outcome ? [{ f: f.outcome, i: idx[i]! }] : []));
    await this.#db.tx(async (q) => {
      await q.query(
        `INSERT INTO siq_log (idx, payment_id, entry, prev_hash, hash, signature)
         SELECT i, p, decode(e, 'hex'), decode(ph, 'hex'), decode(h, 'hex'), decode(s, 'hex')
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS v(i, p, e, ph, h, s)`,
        [idx, pids, entries, prevs, hashes, sigs],
      );
      if (decided.length > 0) {
        await q.query(
          `UPDATE siq_payments AS p
           SET status = v.st, risk_level = v.rl, decision = v.de, reasons = v.re::jsonb, settlement = v.se::jsonb,
               log_index = v.i, decided_at = v.da::timestamptz, updated_at = now()
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[])
                AS v(id, st, rl, de, re, se, i, da)
           WHERE p.payment_id = v.id`,
          [
            decided.map((x) => x.f.decision.payment_id),
            decided.map((x) => x.f.status),
            decided.map((x) => x.f.decision.risk_level),
            decided.map((x) => x.f.decision.decision),
            decided.map((x) => JSON.stringify(x.f.decision.reasons)),
            decided.map((x) => (x.f.settlement ? JSON.stringify(x.f.settlement) : null)),
            decided.map((x) => x.i),
            decided.map((x) => x.f.decision.decided_at),
          ],
        );
      }
      for (let i = 0; i < items.length; i++) await items[i]!.apply?.(q, idx[i]!);
    });
    this.#next += items.length;
    this.#prev = prev;
    return idx;
  }
}
