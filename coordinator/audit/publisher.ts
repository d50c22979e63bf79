/**
 * Publishes the audit registry to the bus: one NATS KV key per code hash,
 * which every validator watches and caches. The database is the source of
 * truth; a value that could not be published stays marked and is retried,
 * and at start-up every row is compared with the bucket and re-put if needed.
 * `revision` is the bucket revision of the last value known to be published:
 * evaluation tasks carry it, so validators score with at least that state.
 */
import type { KvBucket } from "../../lib/bus/types.ts";
import type { Logger } from "../../lib/logger.ts";
import { AuditStateValue, canonicalBytes, SiqError } from "../../protocol/index.ts";
import type { AuditRow } from "./store.ts";

const RETRIES = [100, 400, 1500];

export class AuditPublisher {
  readonly #kv: KvBucket;
  readonly #logger: Logger;
  readonly #dirty = new Map<string, AuditRow>();
  #revision = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(kv: KvBucket, logger: Logger) {
    this.#kv = kv;
    this.#logger = logger;
  }

  get revision(): number {
    return this.#revision;
  }

  isDirty(codeHash: string): boolean {
    return this.#dirty.has(codeHash);
  }

  /** Puts every row whose published value differs (or is missing). */
  async resync(rows: AuditRow[]): Promise<number> {
    let put = 0;
    for (const row of rows) {
      const want = valueOf(row);
      const have = await this.#kv.get(row.code_hash);
      if (have && Buffer.from(have.value).equals(Buffer.from(want))) continue;
      await this.#put(row);
      put++;
    }
    this.#revision = Math.max(this.#revision, await this.#kv.revision());
    return put;
  }

  /** Publishes one row's state, retrying briefly; a 503 if the bus stays away (retried in the background). */
  async publish(row: AuditRow): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#put(row);
        return;
      } catch (cause) {
        if (attempt >= RETRIES.length) {
          this.#dirty.set(row.code_hash, row);
          this.#schedule();
          throw new SiqError("BUS_UNAVAILABLE", "the change is recorded but not yet published to the validators; it will be, or retry", { cause });
        }
        await new Promise((r) => setTimeout(r, RETRIES[attempt]));
      }
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  async #put(row: AuditRow): Promise<void> {
    const revision = await this.#kv.put(row.code_hash, valueOf(row));
    this.#revision = Math.max(this.#revision, revision);
    if (this.#dirty.get(row.code_hash) === row) this.#dirty.delete(row.code_hash);
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(async () => {
      this.#timer = undefined;
      for (const row of [...this.#dirty.values()]) {
        await this.#put(row).catch((err: Error) => this.#logger.warn({ code_hash: row.code_hash, err: err.message }, "audit state not yet published"));
      }
      if (this.#dirty.size > 0) this.#schedule();
    }, 2000);
    this.#timer.unref();
  }
}

export function valueOf(row: AuditRow): Uint8Array {
  const value: AuditStateValue = {
    type: "sentineliq.auditstate.v1",
    code_hash: row.code_hash,
    state: row.state,
    log_index: Number(row.log_index),
    updated_at: (row.updated_at instanceof Date ? row.updated_at : new Date(row.updated_at)).toISOString(),
  };
  return canonicalBytes(value);
}
