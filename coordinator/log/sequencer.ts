/**
 * The log sequencer: the single writer of the verdict log. `append` publishes
 * an entry on the log stream (JetStream: one total order) and resolves with
 * its index once integrated. The actor reads the stream in batches and, in one
 * transaction per batch, stores the new entries, the tiles they touch and each
 * payment's outcome. A key already logged (a redelivery, a re-publish) gets
 * its existing index and is never logged twice. A batch that fails is tried
 * again entry by entry, so one bad entry never holds up the log; an entry that
 * fails alone while the store answers is retried, then dead-lettered.
 */
import { openQuarantine, type Bus, type Delivery, type Mailbox, type Quarantine } from "../../lib/bus/index.ts";
import type { Db, Queryable } from "../../lib/db.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  decisionKey,
  entryBytes,
  canonicalBytes,
  MAX_LOG_ENTRY_BYTES,
  sha256Hex,
  LogAppend,
  SiqError,
  TILE_WIDTH,
  TileBuilder,
  tileHashes,
  type PaymentOutcome,
  type PaymentStatus,
  type QuorumDecision,
  type Settlement,
  type Topology,
  type ValidatorSet,
  signBusMessage,
  Verifier,
  type Signer,
} from "../../protocol/index.ts";
import { AppendChecker } from "./guard.ts";
import { integrateBatch, type Item, type Projection } from "./integrate.ts";
import { parseAppend, type Local } from "./parse-append.ts";

export type { Projection } from "./integrate.ts";

export interface Finalized {
  decision: QuorumDecision;
  status: PaymentStatus;
  settlement: Settlement | null;
  /** A rejected payment's reason class (`rejectionDetails`). */
  error_details?: PaymentOutcome["error_details"] | null;
}

/** Any log record: a JCS object naming its type and the payment it concerns. */
export interface LogRecord {
  type: string;
  payment_id: string;
  [k: string]: unknown;
}

export interface SequencerComponents {
  db: Db;
  bus: Bus;
  topology: Topology;
  logger: Logger;
  /** The validator set a foreign decision's verdicts and quorum are verified against before its outcome applies. */
  validatorSet: ValidatorSet;
  /** Signs each append; an append that does not verify against its public key is refused. */
  busSigner: Signer;
  /** The log's public key: an admin entry (the audit trail) that does not verify against it is refused. */
  logKey?: Uint8Array;
  maxBatch?: number;
  /** How long a batch may wait for more entries once one has arrived. */
  gatherMs?: number;
  appendTimeoutMs?: number;
}

type Waiter = { resolve: (i: number) => void; reject: (e: unknown) => void };

export class LogSequencer {
  readonly #c: SequencerComponents;
  #builder = new TileBuilder();
  readonly #waiters = new Map<string, Waiter[]>();
  /** Entries this process made canonical itself: their bytes need no second canonical check when they come back. */
  readonly #local = new Map<string, Local>();
  readonly #checker: AppendChecker;
  /** Appends refused (forged or not holding up): dead-lettered, never logged or applied. */
  refused = 0;
  #mailbox: Mailbox | undefined;
  #quarantine: Quarantine | undefined;
  #loop: Promise<void> | undefined;
  #buffer: Delivery[] = [];
  #wake: (() => void) | undefined;
  #stopped = false;
  readonly #listeners: ((size: number) => void)[] = [];
  readonly #projections = new Map<string, Projection>();

  constructor(c: SequencerComponents) {
    this.#c = c;
    this.#checker = new AppendChecker(
      c.validatorSet,
      new Verifier(c.busSigner.publicKey),
      c.logKey ? new Verifier(c.logKey) : undefined,
    );
  }

  /** Rebuilds the right edge of the tree from the stored tiles. */
  async init(): Promise<void> {
    const q = this.#c.db;
    const rows = await q.query<{ n: string }>("SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM siq_log_entries");
    const size = Number(rows[0]?.n ?? 0);
    const edge: Buffer[][] = [];
    for (let level = 0, count = size; count > 0; level++, count = Math.floor(count / TILE_WIDTH)) {
      const width = count % TILE_WIDTH;
      if (width === 0) {
        edge.push([]);
        continue;
      }
      const n = Math.floor(count / TILE_WIDTH);
      const t = await q.query<{ hashes: Buffer }>("SELECT hashes FROM siq_log_tiles WHERE level = $1 AND n = $2", [
        level,
        n,
      ]);
      const data = t[0]?.hashes;
      if (!data || data.length !== width * 32)
        throw new SiqError("LOG_TAMPERED", `tile ${level}/${n} should hold ${width} hashes`);
      edge.push(tileHashes(data));
    }
    this.#builder = new TileBuilder(size, edge);
  }

  async start(): Promise<void> {
    const t = this.#c.topology;
    await this.#c.bus.ensureStreams([t.streams.log]);
    this.#mailbox = await this.#c.bus.mailbox({
      stream: t.streams.log.name,
      durable: t.consumers.logSequencer,
      filterSubject: t.subjects.logAppend,
      ackWaitMs: 30_000,
      maxAckPending: 50_000,
    });
    this.#quarantine = await openQuarantine({ ...this.#c, actor: t.consumers.logSequencer });
    const mailbox = this.#mailbox;
    void (async () => {
      for await (const d of mailbox) {
        this.#buffer.push(d);
        this.#wake?.();
      }
    })().catch((err: Error) => this.#c.logger.error({ err: err.message }, "log stream closed"));
    this.#loop = this.#integrateLoop();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#mailbox?.close();
    await this.#loop?.catch(() => {});
    for (const ws of this.#waiters.values())
      for (const w of ws) w.reject(new SiqError("NOT_READY", "log sequencer stopped"));
    this.#waiters.clear();
  }

  get size(): number {
    return this.#builder.size;
  }

  /** The integrated tree: its size and root. */
  head(): { size: number; root: Buffer } {
    return { size: this.#builder.size, root: this.#builder.root() };
  }

  onIntegrated(listener: (size: number) => void): void {
    this.#listeners.push(listener);
  }

  /** Applies every new entry of `type` to other tables inside the integration transaction. Register before `start`. */
  project(type: string, projection: Projection): void {
    this.#projections.set(type, projection);
  }

  /** Logs the decision and applies its outcome; resolves to its log index. */
  append(f: Finalized): Promise<number> {
    const d = f.decision;
    const key = decisionKey(d.payment_id, d.attempt);
    const bytes = entryBytes(d);
    const payment: PaymentOutcome = {
      payment_id: d.payment_id,
      status: f.status,
      risk_level: d.risk_level,
      decision: d.decision,
      reasons: d.reasons,
      settlement: f.settlement,
      ...(f.error_details ? { error_details: f.error_details } : {}),
      decided_at: d.decided_at,
    };
    this.#local.set(key, {
      entry: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      type: d.type,
      payment,
      guard: { attempt: d.attempt, digest: d.payment_digest },
    });
    return this.appendEntry(key, bytes, payment);
  }

  /** Appends another kind of record (challenge issued, answered, expired, equivocation, ...); an identical record is logged once. */
  appendRecord(record: LogRecord): Promise<number> {
    const bytes = canonicalBytes(record);
    if (bytes.length > MAX_LOG_ENTRY_BYTES) return Promise.reject(new RangeError("log record over 64 KiB"));
    const key = `${record.type}:${sha256Hex(bytes)}`;
    this.#local.set(key, { entry: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), type: record.type });
    return this.appendEntry(key, bytes, undefined, record.payment_id);
  }

  /** Logs any entry (canonical JSON with a `type`) under a key unique forever. */
  async appendEntry(
    key: string,
    entry: Uint8Array,
    payment?: LogAppend["payment"],
    paymentId?: string,
  ): Promise<number> {
    const msg: LogAppend = {
      type: "sentineliq.log_append.v2",
      key,
      entry: Buffer.from(entry).toString("base64"),
      ...(payment ? { payment } : {}),
      ...(paymentId ? { payment_id: paymentId } : {}),
    };
    const done = new Promise<number>((resolve, reject) => {
      const list = this.#waiters.get(key) ?? [];
      list.push({ resolve, reject });
      this.#waiters.set(key, list);
    });
    const timeoutMs = this.#c.appendTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new SiqError("NOT_READY", `entry ${key} not integrated within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const signed = signBusMessage(this.#c.busSigner, msg);
      const ack = await this.#c.bus.publish(this.#c.topology.subjects.logAppend, Buffer.from(JSON.stringify(signed)), {
        msgId: key,
      });
      if (ack.duplicate) {
        const rows = await this.#c.db.query<{ idx: string }>("SELECT idx FROM siq_log_entries WHERE entry_key = $1", [
          key,
        ]);
        if (rows[0]) this.#settle(key, Number(rows[0].idx));
      }
      return await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
      this.#waiters.delete(key);
      this.#local.delete(key);
    }
  }

  #refuse(it: Item, reason: string): void {
    this.refused++;
    this.#c.logger.warn({ key: it.key, payment_id: it.paymentId, reason }, "log append refused");
    this.#quarantine?.reject(it.delivery, reason);
    for (const w of this.#waiters.get(it.key) ?? []) w.reject(new SiqError("CONFLICT", reason));
    this.#waiters.delete(it.key);
  }

  #settle(key: string, index: number): void {
    for (const w of this.#waiters.get(key) ?? []) w.resolve(index);
    this.#waiters.delete(key);
  }

  async #integrateLoop(): Promise<void> {
    const max = this.#c.maxBatch ?? 2000;
    while (!this.#stopped) {
      if (this.#buffer.length === 0) {
        await new Promise<void>((r) => (this.#wake = r));
        this.#wake = undefined;
        continue;
      }
      // Let a burst gather (bigger batches amortise the transaction): up to `gatherMs`, or a full batch.
      // While entries keep arriving, keep gathering (so an idle log adds about a millisecond).
      const gatherUntil = performance.now() + (this.#c.gatherMs ?? 2);
      for (
        let seen = -1;
        seen !== this.#buffer.length && this.#buffer.length < max && performance.now() < gatherUntil && !this.#stopped;
      ) {
        seen = this.#buffer.length;
        await new Promise((r) => setTimeout(r, 1));
      }
      const batch = this.#buffer.splice(0, max);
      const items: Item[] = [];
      for (const d of batch) {
        const item = parseAppend(d, this.#local, this.#checker);
        if (item && "refused" in item) {
          this.refused++;
          this.#c.logger.warn({ seq: d.streamSeq, reason: item.refused }, "log append refused");
          this.#quarantine?.reject(d, item.refused);
        } else if (item) items.push(item);
        else this.#quarantine?.reject(d, "malformed log append");
      }
      if (items.length > 0) await this.#integrate(items);
    }
  }

  /** One transaction for the batch; if it fails, one per entry, so that only the entry at fault waits. */
  async #integrate(items: Item[]): Promise<void> {
    const err = await this.#commit(items);
    if (err === undefined) return;
    this.#c.logger.error({ err: errorText(err), batch: items.length }, "log integration failed");
    const alone = items.length === 1 ? [err] : [];
    for (const [i, it] of items.entries()) {
      const e = alone[0] ?? (await this.#commit([it]));
      if (e === undefined) continue;
      const storeUp = await this.#c.db.query("SELECT 1").then(
        () => true,
        () => false,
      );
      if (!storeUp) {
        // Nothing is at fault but the store: everything waits for it.
        for (const rest of items.slice(i)) rest.delivery.nak(1000);
        return;
      }
      this.#quarantine?.failed(it.delivery, e);
    }
  }

  /** Integrates `items` in one transaction; returns the error if it did not commit. */
  async #commit(items: Item[]): Promise<unknown> {
    const next = this.#builder.clone();
    try {
      const indexes = await this.#c.db.tx((q: Queryable) => integrateBatch(q, next, items, this.#projections));
      this.#builder = next;
      items.forEach((it, i) => {
        const r = indexes[i]!;
        if (typeof r === "number") {
          this.#settle(it.key, r);
          it.delivery.ack();
        } else this.#refuse(it, r.refused);
      });
      for (const l of this.#listeners) l(this.#builder.size);
      return undefined;
    } catch (err) {
      return err ?? new Error("log integration failed");
    }
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
