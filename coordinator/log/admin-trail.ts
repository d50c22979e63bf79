/**
 * The audit trail of people and system changes: `record` signs a change with
 * the coordinator's log key and appends it to the verdict log through the
 * sequencer (the same bus-signed append path as every entry; the sequencer
 * re-checks the signature). One line per change:
 *
 *   await trail.record({ actor: { kind: "user", id, org }, action: "key.created",
 *                        target: { kind: "key", id: keyId }, org, details: { label } });
 *
 * Actions (protocol/log/admin.ts `AdminActions`): org.created, user.registered,
 * user.invited, user.deactivated, user.password_reset and validator.reinstated
 * are recorded today; key.created, key.rotated, key.revoked, user.role_changed,
 * org.settings_changed and rules.pack_changed are ready for the routes that make
 * those changes. Never put a secret in `details` (the schema refuses keys that
 * name one).
 */
import type { Logger } from "../../lib/logger.ts";
import {
  adminEntryKey,
  canonicalBytes,
  signAdminRecord,
  type AdminChange,
  type AdminRecord,
  type Signer,
} from "../../protocol/index.ts";
import type { LogSequencer } from "./sequencer.ts";

/** A change to record; `at` defaults to now. */
export type AdminEvent = Omit<AdminChange, "type" | "at" | "details"> & {
  at?: string;
  details?: AdminChange["details"];
};

export interface Trail {
  /** Logs the change; resolves to its log index. */
  record(change: AdminEvent): Promise<number>;
  /** Logs the change without waiting (where waiting would tell a caller something); a failure is logged. */
  note(change: AdminEvent): void;
}

export class AdminTrail implements Trail {
  readonly #c: { sequencer: Pick<LogSequencer, "appendEntry">; signer: Signer; logger: Logger };

  constructor(c: { sequencer: Pick<LogSequencer, "appendEntry">; signer: Signer; logger: Logger }) {
    this.#c = c;
  }

  async record(change: AdminEvent): Promise<number> {
    const record: AdminRecord = signAdminRecord(this.#c.signer, {
      ...change,
      at: change.at ?? new Date().toISOString(),
      details: change.details ?? {},
    });
    const bytes = canonicalBytes(record);
    const index = await this.#c.sequencer.appendEntry(adminEntryKey(record.org, bytes), bytes);
    this.#c.logger.info(
      { action: record.action, actor: record.actor.id, org: record.org, index },
      "admin change logged",
    );
    return index;
  }

  note(change: AdminEvent): void {
    this.record(change).catch((err: Error) =>
      this.#c.logger.error({ err: err.message, action: change.action, org: change.org }, "admin change not logged"),
    );
  }
}

/** A trail that records nothing (a component started without a log, in unit tests). */
export const NO_TRAIL: Trail = { record: () => Promise.resolve(-1), note: () => {} };
