/**
 * The validator's copy of the audit registry. It watches the registry's bus
 * bucket (every hash's latest state, then each change) and serves the rule
 * engine two live lists: `audited_code` (approved hashes) and `revoked_code`.
 * A pending hash is on neither, so it counts as unaudited.
 *
 * `behind(task)` says whether a task was made after a registry change this
 * copy has not seen yet; the validator then waits rather than vote on an
 * older state.
 */
import type { Bus } from "../lib/bus/index.ts";
import type { Logger } from "../lib/logger.ts";
import { AuditStateValue, readBusMessage, type EvaluationTask, type Verifier } from "../protocol/index.ts";
import type { LiveLists } from "../rules/index.ts";

export const AUDITED_LIST = "audited_code";
export const REVOKED_LIST = "revoked_code";

export interface AuditCache {
  readonly lists: LiveLists;
  /** The bucket revision applied so far. */
  readonly revision: number;
  /** Values refused for want of the coordinator's signature. */
  readonly refused: number;
  /** A function-valued property (the validator takes it detached from the cache). */
  readonly behind: (task: EvaluationTask) => boolean;
  stop(): Promise<void>;
}

/** Believes a registry value only with the coordinator's signature (`busKey`); anything else is logged and ignored. */
export async function startAuditCache(bus: Bus, bucket: string, logger: Logger, busKey: Verifier): Promise<AuditCache> {
  const kv = await bus.kv(bucket);
  const audited = new Set<string>();
  const revoked = new Set<string>();
  let revision = 0;
  let refused = 0;
  const watch = await kv.watch();
  const loop = (async () => {
    for await (const e of watch) {
      revision = Math.max(revision, e.revision);
      const read = readBusMessage(busKey, e.value);
      if ("refused" in read) {
        refused++;
        logger.warn({ key: e.key, revision: e.revision, code: read.refused }, "audit state refused: not signed");
        continue;
      }
      const parsed = AuditStateValue.safeParse("message" in read ? read.message : undefined);
      if (!parsed.success || parsed.data.code_hash !== e.key) {
        logger.warn({ key: e.key, revision: e.revision }, "malformed audit state ignored");
        continue;
      }
      applyState(audited, revoked, parsed.data);
    }
  })();
  const lists: LiveLists = {
    get: (name) => (name === AUDITED_LIST ? audited : name === REVOKED_LIST ? revoked : undefined),
  };
  return {
    lists,
    get revision() {
      return revision;
    },
    get refused() {
      return refused;
    },
    behind: (task) => task.audit_revision !== undefined && task.audit_revision > revision,
    async stop() {
      await watch.stop();
      await loop.catch(() => {});
    },
  };
}

/** Puts a hash on the list its state calls for, and off the other. */
export function applyState(audited: Set<string>, revoked: Set<string>, v: AuditStateValue): void {
  audited.delete(v.code_hash);
  revoked.delete(v.code_hash);
  if (v.state === "approved") audited.add(v.code_hash);
  if (v.state === "revoked") revoked.add(v.code_hash);
}
