/**
 * Publishes the audit registry to the bus: one NATS KV key per code hash,
 * which every validator watches and caches. The database is the source of
 * truth; a value that could not be published stays marked and is retried,
 * and at start-up every row is compared with the bucket and re-put if needed.
 * `revision` is the bucket revision of the last value known to be published:
 * evaluation tasks carry it, so validators score with at least that state.
 */
import type { KvBucket } from "../../lib/bus/index.ts";
import type { Logger } from "../../lib/logger.ts";
import { canonicalBytes, signBusMessage, SiqError, type AuditStateValue, type Signer } from "../../protocol/index.ts";
import type { AuditRow } from "./store.ts";

const RETRIES = [100, 400, 1500];

export class AuditPublisher {
  readonly #kv: KvBucket;
  readonly #logger: Logger;
  readonly #signer: Signer;
  /** Per hash, the newest row not yet known to be on the bus. */
  readonly #unpublished = new Map<string, AuditRow>();
  /** Puts run one at a time, each writing the newest row known then, so an older value never lands last. */
  #chain: Promise<unknown> = Promise.resolve();
  #revision = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(kv: KvBucket, logger: Logger, signer: Signer) {
    this.#kv = kv;
    this.#logger = logger;
    this.#signer = signer;
  }

  get revision(): number {
    return this.#revision;
  }

  isDirty(codeHash: string): boolean {
    return this.#unpublished.has(codeHash);
  }

  /** Puts every row whose published value differs (or is missing); a row that fails is retried in the background. */
  async resync(rows: AuditRow[]): Promise<number> {
    let put = 0;
    for (const row of rows) {
      try {
        const have = await this.#kv.get(row.code_hash);
        if (have && Buffer.from(have.value).equals(Buffer.from(valueOf(row, this.#signer)))) continue;
        this.#note(row);
        await this.#flush(row.code_hash);
        put++;
      } catch (err) {
        this.#logger.warn({ code_hash: row.code_hash, err: (err as Error).message }, "audit state not yet published");
        this.#schedule();
      }
    }
    this.#revision = Math.max(this.#revision, await this.#kv.revision());
    return put;
  }

  /** Publishes one row's state, retrying briefly; a 503 if the bus stays away (then retried in the background). */
  async publish(row: AuditRow): Promise<void> {
    this.#note(row);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#flush(row.code_hash);
        return;
      } catch (cause) {
        if (attempt >= RETRIES.length) {
          this.#schedule();
          throw new SiqError(
            "BUS_UNAVAILABLE",
            "the change is recorded but not yet published to the validators; it will be, or retry",
            { cause },
          );
        }
        await new Promise((r) => setTimeout(r, RETRIES[attempt]));
      }
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  #note(row: AuditRow): void {
    const known = this.#unpublished.get(row.code_hash);
    if (!known || Number(known.log_index) <= Number(row.log_index)) this.#unpublished.set(row.code_hash, row);
  }

  #flush(codeHash: string): Promise<void> {
    const run = this.#chain.then(async () => {
      const row = this.#unpublished.get(codeHash);
      if (!row) return;
      const revision = await this.#kv.put(codeHash, valueOf(row, this.#signer));
      this.#revision = Math.max(this.#revision, revision);
      if (this.#unpublished.get(codeHash) === row) this.#unpublished.delete(codeHash);
    });
    this.#chain = run.catch(() => {});
    return run;
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#retryUnpublished().catch((err: unknown) =>
        this.#logger.error({ err: String(err) }, "audit state retry failed"),
      );
    }, 2000);
    this.#timer.unref();
  }

  async #retryUnpublished(): Promise<void> {
    for (const hash of [...this.#unpublished.keys()]) {
      await this.#flush(hash).catch((err: Error) =>
        this.#logger.warn({ code_hash: hash, err: err.message }, "audit state not yet published"),
      );
    }
    if (this.#unpublished.size > 0) this.#schedule();
  }
}

/** The registry value for a row, signed with the coordinator's bus key (deterministic: the same row, the same bytes). */
export function valueOf(row: AuditRow, signer: Signer): Uint8Array {
  const value: AuditStateValue = {
    type: "sentineliq.audit_state.v2",
    code_hash: row.code_hash,
    state: row.state,
    log_index: Number(row.log_index),
    updated_at: (row.updated_at instanceof Date ? row.updated_at : new Date(row.updated_at)).toISOString(),
  };
  return canonicalBytes(signBusMessage(signer, value));
}
