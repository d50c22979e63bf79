/** Assembles the events side of the coordinator: store, aggregator actor and service, with their two routes. */
import type { Bus } from "../../lib/bus/index.ts";
import type { Db } from "../../lib/db.ts";
import type { Logger } from "../../lib/logger.ts";
import type { EventRequest, EventView, QuorumPolicy, Signer, Topology, ValidatorSet } from "../../protocol/index.ts";
import type { LogSequencer } from "../log/index.ts";
import type { Metrics } from "../metrics.ts";
import { EventStore } from "../store/index.ts";
import { EventAggregator } from "./aggregator.ts";
import { EventService } from "./service.ts";

export interface EventsComponents {
  db: Db;
  bus: Bus;
  topology: Topology;
  sequencer: LogSequencer;
  validatorSet: ValidatorSet;
  policy: QuorumPolicy;
  deadlineMs: number;
  logger: Logger;
  metrics?: Metrics | null;
  /** The validators excluded for equivocation now (shared with payments). */
  exclusions?: () => { excluded: string[]; exclusion_epoch: number };
  busSigner: Signer;
}

export interface RunningEvents {
  submit(tenant: string, body: EventRequest): Promise<EventView>;
  get(tenant: string, eventId: string): Promise<EventView>;
  recover(): Promise<number>;
  stop(): Promise<void>;
}

export async function startEvents(c: EventsComponents): Promise<RunningEvents> {
  const store = new EventStore(c.db);
  await store.migrate();
  await c.bus.ensureStreams([c.topology.streams.events, c.topology.streams.verdicts]);
  const service = new EventService({
    store,
    bus: c.bus,
    topology: c.topology,
    sequencer: c.sequencer,
    policy: c.policy,
    deadlineMs: c.deadlineMs,
    logger: c.logger,
    busSigner: c.busSigner,
    metrics: c.metrics ?? null,
  });
  const aggregator = new EventAggregator({
    bus: c.bus,
    topology: c.topology,
    validatorSet: c.validatorSet,
    policy: c.policy,
    deadlineMs: c.deadlineMs,
    logger: c.logger,
    metrics: c.metrics ?? null,
    ...(c.exclusions ? { exclusions: c.exclusions } : {}),
    onDecision: service.onDecision,
  });
  service.attach(aggregator);
  await aggregator.start();
  return {
    submit: (tenant, body) => service.submit(tenant, body),
    get: (tenant, id) => service.get(tenant, id),
    recover: () => service.recover(),
    stop: () => aggregator.stop(),
  };
}
