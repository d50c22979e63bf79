/** Assembles the audit registry: tables, the bus bucket (re-synced from the database), the service and its routes. */
import type { Bus } from "../../lib/bus/types.ts";
import type { Db } from "../../lib/db.ts";
import type { Logger } from "../../lib/logger.ts";
import type { Handlers } from "../api/server.ts";
import type { LogSequencer } from "../log/sequencer.ts";
import { auditHandlers } from "./handlers.ts";
import { AuditPublisher } from "./publisher.ts";
import { AuditService } from "./service.ts";
import { AuditStore, migrateAudit } from "./store.ts";

export interface RunningAudit {
  service: AuditService;
  handlers: ReturnType<typeof auditHandlers>;
  /** The bus revision of the registry state published so far. */
  readonly revision: number;
  stop(): void;
}

export async function startAudit(c: { db: Db; bus: Bus; bucket: string; sequencer: LogSequencer; logger: Logger }): Promise<RunningAudit> {
  await migrateAudit(c.db);
  const store = new AuditStore(c.db);
  const publisher = new AuditPublisher(await c.bus.kv(c.bucket), c.logger);
  const republished = await publisher.resync(await store.all());
  if (republished > 0) c.logger.info({ republished }, "audit registry re-published to the bus");
  const service = new AuditService({ store, sequencer: c.sequencer, publisher, logger: c.logger });
  return {
    service,
    handlers: auditHandlers(service) satisfies Partial<Handlers>,
    get revision() {
      return publisher.revision;
    },
    stop: () => publisher.stop(),
  };
}
