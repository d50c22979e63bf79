/**
 * Signs and publishes checkpoints. While the log grows, at least once per
 * interval: check the new tree against the last checkpoint the log ever
 * signed (same size → same root; larger → a consistency proof that verifies),
 * refuse and raise an alarm otherwise; sign a C2SP checkpoint, gather witness
 * cosignatures, and publish only once the k-of-n witness policy is met (and
 * the external witnesses' quorum, when some are configured).
 */
import type { Logger } from "../../lib/logger.ts";
import { checkpointBody, signNote, verifyConsistency, type Signer } from "../../protocol/index.ts";
import type { Metrics } from "../metrics.ts";
import type { TileArchive } from "./archive.ts";
import type { LogSequencer } from "./sequencer.ts";
import type { LogStore } from "./store.ts";
import type { WitnessClient } from "./witnesses.ts";

export interface CheckpointerComponents {
  origin: string;
  signer: Signer;
  store: LogStore;
  sequencer: LogSequencer;
  witnesses: WitnessClient;
  /** Validator cosignatures needed before a checkpoint is published (0: none). */
  witnessQuorum: number;
  /** External witnesses' cosignatures needed as well (0: none). */
  externalWitnessQuorum?: number;
  intervalMs: number;
  archive: TileArchive | null;
  logger: Logger;
  metrics: Metrics | null;
}

export class Checkpointer {
  readonly #c: CheckpointerComponents;
  #latest: string | undefined;
  #latestSize = -1;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #alarm: string | undefined;

  constructor(c: CheckpointerComponents) {
    this.#c = c;
  }

  async start(): Promise<void> {
    const last = await this.#c.store.lastPublished();
    if (last) {
      this.#latest = last.cosignedNote!;
      this.#latestSize = last.size;
      // After a restart the archive catches up to what was published before (a no-op when it is there).
      this.#c.archive?.offer(last.size, last.cosignedNote!);
    }
    await this.tick();
    this.#timer = setInterval(() => void this.tick(), this.#c.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
    await this.#c.archive?.stop();
  }

  /** The latest published checkpoint (signed and cosigned), if any. */
  get latest(): string | undefined {
    return this.#latest;
  }

  /** Set once the log refused to sign: what it saw. */
  get alarm(): string | undefined {
    return this.#alarm;
  }

  tick(): Promise<void> {
    this.#running ??= this.#publish()
      .catch((err: Error) => this.#c.logger.error({ err: err.message }, "checkpoint not published"))
      .finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #publish(): Promise<void> {
    const { size, root } = this.#c.sequencer.head();
    if (size === this.#latestSize) return;
    const last = await this.#c.store.lastSigned();
    if (last) {
      let problem: string | undefined;
      if (size < last.size) problem = `the tree has ${size} entries, fewer than the ${last.size} already signed`;
      else if (size === last.size && !root.equals(last.root)) problem = `size ${size} already signed with another root`;
      else if (
        size > last.size &&
        last.size > 0 &&
        !verifyConsistency(last.size, size, last.root, root, await this.#c.store.consistencyProof(last.size, size))
      ) {
        problem = `the tree of size ${size} is not consistent with the signed checkpoint of size ${last.size}`;
      }
      if (problem)
        return this.#refuse(problem, {
          size,
          root: root.toString("base64"),
          last_size: last.size,
          last_root: last.root.toString("base64"),
        });
    }
    const body = checkpointBody({ origin: this.#c.origin, size, root });
    const signed = body + "\n" + signNote(this.#c.signer, this.#c.origin, body);
    if (!last || last.size !== size) {
      await this.#c.store.db.query(
        "INSERT INTO siq_log_checkpoints (size, root, signed_note) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING",
        [size, root, signed],
      );
    }
    const { lines, external, refused } = await this.#c.witnesses.cosign(signed, size);
    const externalNeeded = this.#c.externalWitnessQuorum ?? 0;
    if (lines.length - external < this.#c.witnessQuorum || external < externalNeeded) {
      this.#c.logger.warn(
        {
          size,
          cosigned: lines.length - external,
          needed: this.#c.witnessQuorum,
          external_cosigned: external,
          external_needed: externalNeeded,
          refused,
        },
        "witness policy not met; checkpoint held back",
      );
      return;
    }
    for (const r of refused) this.#c.logger.warn({ size, ...r }, "witness refused to cosign");
    const cosigned = signed + lines.join("");
    await this.#c.store.db.query(
      "UPDATE siq_log_checkpoints SET cosigned_note = $2, published_at = now() WHERE size = $1",
      [size, cosigned],
    );
    this.#latest = cosigned;
    this.#latestSize = size;
    this.#c.metrics?.logCheckpointSize.set(size);
    // Written by the archive's own worker, retried there: a slow or failing archive never holds this up.
    this.#c.archive?.offer(size, cosigned);
  }

  async #refuse(problem: string, detail: Record<string, unknown>): Promise<void> {
    if (this.#alarm !== problem) {
      this.#alarm = problem;
      this.#c.logger.fatal({ ...detail, problem }, "ALARM: refusing to sign an inconsistent checkpoint");
      this.#c.metrics?.logAlarms.inc({ kind: "inconsistent_checkpoint" });
      await this.#c.store.raiseAlarm("inconsistent_checkpoint", { problem, ...detail });
    }
  }
}
