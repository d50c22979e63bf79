/**
 * Which validators are excluded: one caught equivocating stops counting until
 * an operator reinstates it. Every change is logged first (a
 * `sentineliq.validator_status.v1` entry, numbered by epoch) and applied only
 * once it is in the log, so a decision never names an epoch the log lacks.
 * Changes are serialised; on start the state is replayed from the log.
 */
import type { Db } from "../../lib/db.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  canonicalBytes,
  quorumSafe,
  SiqError,
  TypeTags,
  ValidatorStatusRecord,
  type EquivocationEvidence,
  type QuorumPolicy,
} from "../../protocol/index.ts";
import type { LogSequencer } from "../log/index.ts";
import type { Metrics } from "../metrics.ts";

export interface Excluded {
  evidence: EquivocationEvidence;
  at: string;
}

export interface ExclusionsComponents {
  db: Db;
  sequencer: LogSequencer;
  /** The whole set's policy (n and f). */
  policy: Pick<QuorumPolicy, "n" | "f" | "members">;
  logger: Logger;
  metrics: Metrics | null;
}

export class Exclusions {
  readonly #c: ExclusionsComponents;
  readonly #excluded = new Map<string, Excluded>();
  #epoch = 0;
  #changes: Promise<unknown> = Promise.resolve();

  constructor(c: ExclusionsComponents) {
    this.#c = c;
  }

  /** Rebuilds the state from the log's status entries. */
  async load(): Promise<void> {
    const rows = await this.#c.db.query<{ entry: Buffer | Uint8Array }>(
      "SELECT entry FROM siq_log_entries WHERE entry_type = $1 ORDER BY idx",
      [TypeTags.validator_status],
    );
    for (const row of rows) {
      const r = ValidatorStatusRecord.safeParse(JSON.parse(Buffer.from(row.entry).toString("utf8")));
      if (r.success) this.#apply(r.data);
    }
    this.#publish();
  }

  /** The excluded set and its epoch, as a decision records them. */
  current(): { excluded: string[]; exclusion_epoch: number } {
    return { excluded: [...this.#excluded.keys()].sort(), exclusion_epoch: this.#epoch };
  }

  get(id: string): Excluded | undefined {
    return this.#excluded.get(id);
  }

  get epoch(): number {
    return this.#epoch;
  }

  safe(): boolean {
    return quorumSafe({ ...this.#c.policy, excluded: [...this.#excluded.keys()] });
  }

  /** Excludes a validator on equivocation evidence (a no-op if it is excluded already). */
  exclude(id: string, evidence: EquivocationEvidence): Promise<void> {
    return this.#serial(async () => {
      if (this.#excluded.has(id) || !this.#c.policy.members.includes(id)) return;
      const excluded = [...this.#excluded.keys(), id].sort();
      const record: ValidatorStatusRecord = {
        type: TypeTags.validator_status,
        action: "exclude",
        validator_id: id,
        epoch: this.#epoch + 1,
        excluded,
        evidence,
        at: new Date().toISOString(),
      };
      await this.#log(record);
      this.#c.logger.warn(
        { validator_id: id, payment_id: evidence.payment_id, epoch: record.epoch, excluded, safe: this.safe() },
        "validator excluded for equivocation; its verdicts no longer count",
      );
    });
  }

  /** An operator's reinstatement: 404 for an unknown validator, 409 if it is not excluded. */
  reinstate(id: string, by: string): Promise<ValidatorStatusRecord> {
    return this.#serial(async () => {
      if (!this.#c.policy.members.includes(id)) throw new SiqError("NOT_FOUND", `no validator ${id}`);
      if (!this.#excluded.has(id)) throw new SiqError("CONFLICT", `validator ${id} is not excluded`);
      const record: ValidatorStatusRecord = {
        type: TypeTags.validator_status,
        action: "reinstate",
        validator_id: id,
        epoch: this.#epoch + 1,
        excluded: [...this.#excluded.keys()].filter((x) => x !== id).sort(),
        by,
        at: new Date().toISOString(),
      };
      await this.#log(record);
      this.#c.logger.warn({ validator_id: id, by, epoch: record.epoch }, "validator reinstated by an operator");
      return record;
    });
  }

  async #log(record: ValidatorStatusRecord): Promise<void> {
    const paymentId = record.action === "exclude" ? record.evidence.payment_id : undefined;
    await this.#c.sequencer.appendEntry(
      `validator_status:${record.epoch}`,
      canonicalBytes(record),
      undefined,
      paymentId,
    );
    this.#apply(record);
    this.#publish();
  }

  #apply(r: ValidatorStatusRecord): void {
    if (r.action === "exclude") this.#excluded.set(r.validator_id, { evidence: r.evidence, at: r.at });
    else this.#excluded.delete(r.validator_id);
    this.#epoch = r.epoch;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#changes.then(fn, fn);
    this.#changes = next.catch(() => {});
    return next;
  }

  #publish(): void {
    const m = this.#c.metrics;
    if (!m) return;
    for (const id of this.#c.policy.members) m.validatorExcluded.set({ validator: id }, this.#excluded.has(id) ? 1 : 0);
    m.quorumSafe.set(this.safe() ? 1 : 0);
  }
}
