/**
 * Assembles the audit registry: its tables, its projection from the log (registered
 * on the sequencer, so call this before the sequencer starts), the bus bucket
 * (re-synced from the database), the service and its routes.
 */
import type { Bus } from "../../lib/bus/index.ts";
import type { Db } from "../../lib/db.ts";
import type { Logger } from "../../lib/logger.ts";
import type { Handlers } from "../api/index.ts";
import type { LogSequencer } from "../log/index.ts";
import { auditHandlers } from "./handlers.ts";
import { AuditPublisher } from "./publisher.ts";
import { AuditService } from "./service.ts";
import { AUDIT_ENTRY_TYPE, auditorVerifiers, type AuditorEntry, type Signer } from "../../protocol/index.ts";
import { AuditStore, migrateAudit, projectAuditEntries } from "./store.ts";

export interface RunningAudit {
  service: AuditService;
  handlers: ReturnType<typeof auditHandlers>;
  /** The bus revision of the registry state published so far. */
  readonly revision: number;
  stop(): void;
}

export async function startAudit(c: {
  db: Db;
  bus: Bus;
  bucket: string;
  sequencer: LogSequencer;
  logger: Logger;
  /** Signs each registry value (validators' caches verify it). */
  busSigner: Signer;
  /** The auditor set (network.json): with it, approvals and revocations must carry one of its auditors' signatures. */
  auditors?: readonly AuditorEntry[] | undefined;
}): Promise<RunningAudit> {
  await migrateAudit(c.db);
  const store = new AuditStore(c.db);
  const publisher = new AuditPublisher(await c.bus.kv(c.bucket), c.logger, c.busSigner);
  // Entries integrated later (a change logged just before a restart, say) reach the bus too.
  const touched = new Set<string>();
  c.sequencer.project(AUDIT_ENTRY_TYPE, async (q, entries) => {
    for (const h of await projectAuditEntries(q, entries)) touched.add(h);
  });
  c.sequencer.onIntegrated(() => {
    const hashes = [...touched];
    touched.clear();
    for (const h of hashes) {
      void store
        .get(h)
        .then((row) => row && publisher.publish(row))
        .catch((err: Error) => c.logger.warn({ code_hash: h, err: err.message }, "audit state not yet published"));
    }
  });
  const republished = await publisher.resync(await store.all());
  if (republished > 0) c.logger.info({ republished }, "audit registry re-published to the bus");
  const service = new AuditService({
    store,
    sequencer: c.sequencer,
    publisher,
    logger: c.logger,
    ...(c.auditors ? { auditors: auditorVerifiers(c.auditors) } : {}),
  });
  return {
    service,
    handlers: auditHandlers(service) satisfies Partial<Handlers>,
    get revision() {
      return publisher.revision;
    },
    stop: () => publisher.stop(),
  };
}
