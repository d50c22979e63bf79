/**
 * The log sequencer: the single writer of the verdict log. Decisions arriving
 * close together are appended in one transaction that also records each
 * payment's outcome, so a decision is either logged and applied, or neither.
 */
import { Batcher } from "../../lib/batcher.ts";
import type { Db } from "../../lib/db.ts";
import {
  canonicalBytes,
  chainHash,
  entryBytes,
  MAX_ENTRY_BYTES,
  type EventDecision,
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

/** An event's quorum decision (`sentineliq.event.v1`), logged and applied to its row alike. */
export interface FinalizedEvent {
  event: EventDecision;
}

type Item = Finalized | FinalizedEvent;
const isEvent = (f: Item): f is FinalizedEvent => "event" in f;

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

  /** Appends an event decision and records it on the event's row; resolves to its log index. */
  appendEvent(f: FinalizedEvent): Promise<number> {
    return this.#batcher.push(f);
  }

  async #appendBatch(all: Item[]): Promise<number[]> {
    const items = all.filter((f): f is Finalized => !isEvent(f));
    let prev = this.#prev;
    const idx: number[] = [];
    const entries: string[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    const sigs: string[] = [];
    const ids: string[] = [];
    const paymentIdx: number[] = [];
    all.forEach((f, i) => {
      const index = this.#next + i;
      const bytes = isEvent(f) ? eventEntryBytes(f.event) : entryBytes(f.decision);
      ids.push(isEvent(f) ? f.event.event_ref : f.decision.payment_id);
      if (!isEvent(f)) paymentIdx.push(index);
      const hash = chainHash(prev, bytes);
      idx.push(index);
      entries.push(Buffer.from(bytes).toString("hex"));
      prevs.push(prev.toString("hex"));
      hashes.push(hash.toString("hex"));
      sigs.push(signHead(this.#signer, this.#origin, index, hash).toString("hex"));
      prev = hash;
    });
    const pids = items.map((f) => f.decision.payment_id);
    const events = all.flatMap((f, i) => (isEvent(f) ? [{ e: f.event, index: idx[i]! }] : []));
    await this.#db.tx(async (q) => {
      await q.query(
        `INSERT INTO siq_log (idx, payment_id, entry, prev_hash, hash, signature)
         SELECT i, p, decode(e, 'hex'), decode(ph, 'hex'), decode(h, 'hex'), decode(s, 'hex')
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS v(i, p, e, ph, h, s)`,
        [idx, ids, entries, prevs, hashes, sigs],
      );
      if (events.length > 0) {
        await q.query(
          `UPDATE siq_events AS e
           SET status = 'decided', risk_level = v.rl, decision = v.de, reasons = v.re::jsonb, log_index = v.i, decided_at = v.da::timestamptz
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[]) AS v(id, rl, de, re, i, da)
           WHERE e.event_ref = v.id`,
          [
            events.map((x) => x.e.event_ref),
            events.map((x) => x.e.risk_level),
            events.map((x) => x.e.decision),
            events.map((x) => JSON.stringify(x.e.reasons)),
            events.map((x) => x.index),
            events.map((x) => x.e.decided_at),
          ],
        );
      }
      if (items.length === 0) return;
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
          paymentIdx,
          items.map((f) => f.decision.decided_at),
        ],
      );
    });
    this.#next += all.length;
    this.#prev = prev;
    return idx;
  }
}

function eventEntryBytes(e: EventDecision): Uint8Array {
  const bytes = canonicalBytes(e);
  if (bytes.length > MAX_ENTRY_BYTES) throw new RangeError(`log entry is ${bytes.length} bytes, over ${MAX_ENTRY_BYTES}`);
  return bytes;
}
