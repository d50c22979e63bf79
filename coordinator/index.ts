/** Assembles the coordinator: store, bus, log, aggregator, payment service and HTTP API. */
import type { FastifyInstance } from "fastify";
import { connectJetStream } from "../lib/bus/jetstream.ts";
import type { Bus } from "../lib/bus/types.ts";
import { openDb, type Db } from "../lib/db.ts";
import { createLogger } from "../lib/logger.ts";
import { loadKeyFile, policyFor, topology, verifierKey } from "../protocol/index.ts";
import { ApiKeys } from "./api/auth.ts";
import { startAudit } from "./audit/index.ts";
import { buildServer, type Handlers } from "./api/server.ts";
import type { CoordinatorConfig } from "./config.ts";
import { TileArchive } from "./log/archive.ts";
import { Checkpointer } from "./log/checkpointer.ts";
import { logHandlers, paymentReceipt } from "./log/handlers.ts";
import { LogSequencer } from "./log/sequencer.ts";
import { startEvents } from "./events/index.ts";
import { LogStore } from "./log/store.ts";
import { WitnessClient } from "./log/witnesses.ts";
import { createMetrics } from "./metrics.ts";
import { PaymentService } from "./payments/service.ts";
import { ChallengeService } from "./challenges/service.ts";
import { ChallengeStore } from "./challenges/store.ts";
import { Aggregator } from "./quorum/aggregator.ts";
import { startSettlement } from "./settlement/index.ts";
import type { ChainBackend } from "./settlement/chain.ts";
import { Reputation } from "./quorum/reputation.ts";
import { migrate } from "./store/schema.ts";
import { PaymentStore } from "./store/payments.ts";

export { parseCoordinatorConfig, readJsonFile, type CoordinatorConfig } from "./config.ts";
export { LogStore, type StoredEntry } from "./log/store.ts";
export { LogSequencer } from "./log/sequencer.ts";
export { migrate } from "./store/schema.ts";

export interface RunningCoordinator {
  url: string;
  app: FastifyInstance;
  vkey: string;
  /** The settlement chain backend, if any (tests inspect a LiteSVM through it). */
  chain: ChainBackend | null;
  close(): Promise<void>;
}

/** `given` lets the caller hand in a bus (the in-process one), a store or a chain (tests); they are then not closed here. */
export async function startCoordinator(
  config: CoordinatorConfig,
  given?: { bus?: Bus; db?: Db; chain?: ChainBackend },
): Promise<RunningCoordinator> {
  const logger = createLogger("coordinator", config.logLevel);
  const metrics = createMetrics();
  const t = topology(config.namespace);
  const logKey = loadKeyFile(config.logKeyFile);
  const vkey = verifierKey(config.logOrigin, logKey.signer.publicKey);

  const db =
    given?.db ?? (await openDb({ url: config.databaseUrl, ...(config.dbSchema ? { schema: config.dbSchema } : {}) }));
  await migrate(db);
  const bus = given?.bus ?? (await connectJetStream(config.natsUrl, "sentineliq-coordinator"));
  await bus.ensureStreams([t.streams.payments, t.streams.verdicts, t.streams.log]);

  const sequencer = new LogSequencer({ db, bus, topology: t, logger });
  await sequencer.init();
  // The audit registry is a projection of its log entries: it must be listening before entries are integrated.
  const audit = await startAudit({ db, bus, bucket: t.buckets.audit, sequencer, logger });
  await sequencer.start();
  metrics.logEntries.set(sequencer.size);
  sequencer.onIntegrated((size) => metrics.logEntries.set(size));
  const logReader = new LogStore(db);
  const settlement = await startSettlement({
    config: config.settlement,
    db,
    bus,
    topology: t,
    logger,
    register: metrics.register,
    ...(given?.chain ? { chain: given.chain } : {}),
  });
  const set = config.validatorSet;
  const policy = policyFor(set, config.failClosed);
  const reputation = new Reputation(set, metrics, logger);
  const witnesses = new WitnessClient({
    bus,
    topology: t,
    validatorSet: set,
    logger,
    proof: (a, b) => logReader.consistencyProof(a, b),
  });
  const checkpointer = new Checkpointer({
    origin: config.logOrigin,
    signer: logKey.signer,
    store: logReader,
    sequencer,
    witnesses,
    witnessQuorum: config.witnessQuorum ?? policy.approve,
    intervalMs: config.checkpointIntervalMs,
    archive: config.tileArchiveDir ? new TileArchive(config.tileArchiveDir, logReader) : null,
    logger,
    metrics,
  });
  const challenges = new ChallengeService({
    store: new ChallengeStore(db),
    sequencer,
    logger,
    ttlMs: config.challengeTtlMs,
    maxAttempts: config.maxAttempts,
    onClosed: () => {},
  });
  const service = new PaymentService({
    store: new PaymentStore(db),
    bus,
    topology: t,
    sequencer,
    logReader,
    validatorSet: set,
    failClosed: config.failClosed,
    reputation,
    challenges,
    prescreen: config.prescreen,
    deadlineMs: config.quorumDeadlineMs,
    logger,
    metrics,
    auditRevision: () => audit.revision,
    settlement: settlement.handoff,
  });
  const aggregator = new Aggregator({
    bus,
    topology: t,
    validatorSet: set,
    deadlineMs: config.quorumDeadlineMs,
    graceMs: config.quorumGraceMs,
    logger,
    metrics,
    onDecision: service.onDecision,
    onLateEquivocation: service.onLateEquivocation,
    onEscalate: service.onEscalate,
  });
  service.attach(aggregator);
  await aggregator.start();
  const events = await startEvents({
    db,
    bus,
    topology: t,
    sequencer,
    validatorSet: set,
    policy,
    deadlineMs: config.quorumDeadlineMs,
    logger,
  });

  const lastSeen = new Map<string, number>();
  const known = new Set(set.validators.map((v) => v.id));
  const beats = bus.onSignal(t.subjects.heartbeatWildcard, (subject) => {
    const id = subject.slice(subject.lastIndexOf(".") + 1);
    if (known.has(id)) lastSeen.set(id, Date.now());
  });
  // Every actor's dead letters, the validators' too (they serve no metrics of their own).
  const deadLetters = bus.onSignal(t.subjects.deadLetterWildcard, (subject) =>
    metrics.deadLettersTotal.inc({ actor: subject.slice(subject.lastIndexOf(".") + 1) }),
  );
  const alive = () => [...lastSeen.values()].filter((at) => Date.now() - at < config.heartbeatTimeoutMs).length;

  const handlers: Handlers = {
    createPayment: async ({ tenant, body }) => ({ body: await service.submit(tenant, body) }),
    getPayment: async ({ tenant, params }) => ({ body: await service.get(tenant, params.payment_id) }),
    createEvent: async ({ tenant, body }) => ({ body: await events.submit(tenant, body) }),
    getEvent: async ({ tenant, params }) => ({ body: await events.get(tenant, params.event_id) }),
    paymentReceipt: async ({ tenant, params }) => {
      await service.get(tenant, params.payment_id);
      return {
        contentType: "text/plain; charset=utf-8",
        body: await paymentReceipt(logReader, checkpointer, params.payment_id),
      };
    },
    challengeResponse: async ({ tenant, params, body }) => ({
      body: await service.respond(tenant, params.payment_id, body),
    }),
    ...logHandlers(vkey, logReader, sequencer, checkpointer),
    ...audit.handlers,
    health: async () => ({ body: { status: "ok" } }),
    ready: async () => {
      const busOk = await bus.healthy();
      const storeOk = await db.query("SELECT 1").then(
        () => true,
        () => false,
      );
      const validators = alive();
      metrics.validatorsAlive.set(validators);
      const ok = busOk && storeOk && validators >= policy.approve;
      return {
        status: ok ? 200 : 503,
        body: {
          status: ok ? "ready" : "not_ready",
          bus: busOk,
          store: storeOk,
          validators_alive: validators,
          quorum: policy.approve,
          policy: policy.name,
        },
      };
    },
  };

  const app = buildServer({
    bodyLimitBytes: config.bodyLimitBytes,
    apiKeys: new ApiKeys(config.tenants, config.auditors),
    handlers,
    metricsText: () => metrics.register.metrics(),
    onInternalError: (err) => logger.error({ err }, "internal error"),
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  const recovered = (await service.recover()) + (await challenges.recover()) + (await events.recover());
  const unsettled = await settlement.recover();
  await checkpointer.start();
  logger.info(
    {
      url,
      validators: policy.n,
      quorum: policy.name,
      log_size: sequencer.size,
      recovered,
      unsettled,
      db: db.kind,
      bus: bus.kind,
    },
    "coordinator started",
  );

  return {
    url,
    app,
    vkey,
    chain: settlement.chain,
    async close() {
      beats.stop();
      deadLetters.stop();
      challenges.stop();
      await app.close();
      audit.stop();
      await aggregator.stop();
      await events.stop();
      await settlement.stop();
      await checkpointer.stop();
      await sequencer.stop();
      if (!given?.bus) await bus.close();
      if (!given?.db) await db.close();
    },
  };
}
