/**
 * Webhooks: per-organisation endpoints for events (`payment.rejected`,
 * `payment.challenged`, `case.decided`, `validator.flagged`, `log.alarm`),
 * signed deliveries at least once from durable JetStream consumers with
 * exponential backoff, a dead state, a delivery log and manual replay.
 */
import type { Bus } from "../../lib/bus/index.ts";
import type { Db } from "../../lib/db.ts";
import type { Registry } from "prom-client";
import type { Logger } from "../../lib/logger.ts";
import { SiqError, Verifier, type Signer, type Topology } from "../../protocol/index.ts";
import type { Handlers, Principal, UserPrincipal } from "../api/index.ts";
import type { WebhooksConfig } from "./config.ts";
import { WebhookDispatcher } from "./dispatcher.ts";
import { WebhookFanout } from "./fanout.ts";
import { createWebhookMetrics } from "./metrics.ts";
import { WebhookService, type EmitEvent } from "./service.ts";
import { WebhookStore } from "./store.ts";

export { WebhooksConfig } from "./config.ts";
export { migrateWebhooks } from "./schema.ts";
export { signatureHeader, SIGNATURE_HEADER } from "./format.ts";
export { backoffMs } from "./dispatcher.ts";
export { checkWebhookUrl, publicAddress } from "./url-policy.ts";
export type { EmitEvent } from "./service.ts";

type WebhookHandlers = Pick<
  Handlers,
  "webhooksCreate" | "webhooksList" | "webhooksDelete" | "webhooksDeliveries" | "webhooksReplay"
>;

export interface RunningWebhooks {
  /** Emits an event for the endpoints subscribed to it (fire and forget). */
  emit: (e: EmitEvent) => void;
  handlers: WebhookHandlers;
  service: WebhookService;
  stop(): Promise<void>;
}

const person = (p: Principal | undefined): UserPrincipal => {
  if (p?.role !== "user") throw new SiqError("UNAUTHENTICATED", "log in first");
  return p;
};

export async function startWebhooks(c: {
  db: Db;
  bus: Bus;
  topology: Topology;
  busSigner: Signer;
  config: WebhooksConfig;
  logger: Logger;
  /** The coordinator's metrics registry (none in tests that do not read metrics). */
  register?: Registry;
}): Promise<RunningWebhooks> {
  const logger = c.logger.child({ component: "webhooks" });
  await c.bus.ensureStreams([c.topology.streams.webhooks]);
  const store = new WebhookStore(c.db);
  const service = new WebhookService({ ...c, store, logger });
  const busKey = new Verifier(c.busSigner.publicKey);
  const fanout = new WebhookFanout({ ...c, store, busKey, logger, order: service.order });
  const metrics = c.register ? createWebhookMetrics(c.register) : null;
  const dispatcher = new WebhookDispatcher({ ...c, store, busKey, logger, metrics });
  await fanout.start();
  await dispatcher.start();
  return {
    emit: service.emit,
    service,
    handlers: {
      webhooksCreate: async ({ principal, body }) => ({ body: await service.create(person(principal), body) }),
      webhooksList: async ({ principal }) => ({ body: await service.list(person(principal)) }),
      webhooksDelete: async ({ principal, params }) => ({
        body: await service.remove(person(principal), params.webhook_id),
      }),
      webhooksDeliveries: async ({ principal, params }) => ({
        body: await service.deliveries(person(principal), params.webhook_id),
      }),
      webhooksReplay: async ({ principal, params }) => ({
        body: await service.replay(person(principal), params.delivery_id),
      }),
    },
    async stop() {
      await fanout.stop();
      await dispatcher.stop();
    },
  };
}
