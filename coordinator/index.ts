/** Assembles the coordinator: store, bus, log, aggregator, payment service and HTTP API. */
import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { connectJetStream, roleInbox, type Bus } from "../lib/bus/index.ts";
import { openDb, type Db } from "../lib/db.ts";
import { observedDb } from "../lib/db-observed.ts";
import { createLogger, type Logger } from "../lib/logger.ts";
import { currentRequestId } from "../lib/request-scope.ts";
import { ensureKeyFile, loadKeyFile, SiqError, topology, verifierKey, type Topology } from "../protocol/index.ts";
import { startAccounts, type RunningAccounts } from "./accounts/index.ts";
import { ApiKeys } from "./api/index.ts";
import { buildServer } from "./api/index.ts";
import { agentKeys, busKeyFileOf, type CoordinatorConfig } from "./config.ts";
import { startCore, type Core } from "./core.ts";
import { countDeadLetters } from "./dead-letters.ts";
import { watchBacklog } from "./bus-backlog.ts";
import { coordinatorHandlers } from "./handlers.ts";
import { Erasure, scheduleRetention } from "./privacy/index.ts";
import { watchHeartbeats, type Heartbeats } from "./heartbeats.ts";
import { createMetrics } from "./metrics.ts";
import type { ChainBackend } from "./settlement/index.ts";
import { migrate } from "./store/index.ts";

export { busKeyFileOf, parseCoordinatorConfig, readJsonFile, type CoordinatorConfig } from "./config.ts";
export { LogStore, type StoredEntry } from "./log/index.ts";
export { DirArchiveStore, S3ArchiveStore, TileArchive, type ArchiveStore } from "./log/index.ts";
export { LogSequencer } from "./log/index.ts";
export { createMetrics } from "./metrics.ts";
export { migrate } from "./store/index.ts";

export interface RunningCoordinator {
  url: string;
  app: FastifyInstance;
  vkey: string;
  /** The settlement chain backend, if any (tests inspect a LiteSVM through it). */
  chain: ChainBackend | null;
  close(): Promise<void>;
}

type Given = { bus?: Bus; db?: Db; chain?: ChainBackend };

/** `given` lets the caller hand in a bus (the in-process one), a store or a chain (tests); they are then not closed here. */
export async function startCoordinator(config: CoordinatorConfig, given?: Given): Promise<RunningCoordinator> {
  const logger = createLogger("coordinator", config.logLevel);
  const metrics = createMetrics();
  const t = topology(config.namespace);
  const logKey = loadKeyFile(config.logKeyFile);
  const vkey = verifierKey(config.logOrigin, logKey.signer.publicKey);
  const busKey = ensureKeyFile(busKeyFileOf(config), "coordinator-bus");
  const opened = await openInfrastructure(config, t, given);
  const bus = opened.bus;
  const db = observedDb(opened.db, (statement, seconds, ok) =>
    metrics.dbSeconds.observe({ statement, result: ok ? "ok" : "error" }, seconds),
  );
  const core = await startCore({
    config,
    db,
    bus,
    topology: t,
    logger,
    metrics,
    logSigner: logKey.signer,
    busSigner: busKey.signer,
    ...(given?.chain ? { chain: given.chain } : {}),
  });
  const heartbeats = watchHeartbeats(bus, t, config.validatorSet, config.heartbeatTimeoutMs, metrics.validatorsAlive);
  const deadLetters = countDeadLetters(bus, t, metrics);
  const backlog = watchBacklog(bus, t, metrics, logger);
  let url = "";
  const accounts = await startAccounts({
    db,
    config: config.accounts,
    logger,
    baseUrl: () => url,
    events: core.events,
    trail: core.trail,
  });
  const app = buildServer({
    bodyLimitBytes: config.bodyLimitBytes,
    apiKeys: new ApiKeys(
      config.tenants.map((t) => ({ id: t.id, keys: agentKeys(t), approvers: t.approvers })),
      config.auditors,
      config.operators,
      accounts.agentKeys,
    ),
    users: accounts.users,
    handlers: coordinatorHandlers({
      ...core,
      vkey,
      db,
      bus,
      metrics,
      heartbeats,
      validatorSet: config.validatorSet,
      accounts,
      erasure: new Erasure({ db, sequencer: core.sequencer, logger, archive: core.archive }),
    }),
    metricsText: () => metrics.register.metrics(),
    onInternalError: (err) => logger.error({ err, request_id: currentRequestId() }, "internal error"),
    http: config.http,
    bindHost: config.host,
    publicUrl: config.accounts.publicUrl,
    tls: tlsFiles(config),
    accessLog: logger.child({ log: "access" }),
    metrics,
  });
  url = await listen(app, config);
  await recoverAndStart(core, { url, db, bus, logger });
  const retention = scheduleRetention(db, logger, config.retentionIntervalMs);
  return {
    url,
    app,
    vkey,
    chain: core.settlement.chain,
    close: () => {
      retention.stop();
      return closeAll({ core, app, accounts, heartbeats, deadLetters, backlog, given, db, bus });
    },
  };
}

async function openInfrastructure(
  config: CoordinatorConfig,
  t: Topology,
  given?: Given,
): Promise<{ db: Db; bus: Bus }> {
  const db =
    given?.db ?? (await openDb({ url: config.databaseUrl, ...(config.dbSchema ? { schema: config.dbSchema } : {}) }));
  await migrate(db);
  const bus =
    given?.bus ??
    (await connectJetStream(config.natsUrl, {
      name: "sentineliq-coordinator",
      credsFile: config.natsCreds,
      tls: config.natsTls,
      inboxPrefix: roleInbox({ kind: "coordinator" }),
    }));
  await bus.ensureStreams([t.streams.payments, t.streams.verdicts, t.streams.log]);
  return { db, bus };
}

async function listen(app: FastifyInstance, config: CoordinatorConfig): Promise<string> {
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  return `${config.http.tls ? "https" : "http"}://${config.host}:${port}`;
}

/** The certificate chain and key to serve HTTPS with, when `http.tls` names them. */
function tlsFiles(config: CoordinatorConfig): { cert: Buffer; key: Buffer } | undefined {
  const tls = config.http.tls;
  if (!tls) return undefined;
  try {
    return { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) };
  } catch (cause) {
    throw new SiqError("CONFIG_INVALID", `http.tls: cannot read ${(cause as Error).message}`, { cause });
  }
}

/** Picks up the work a previous run left unfinished, then starts checkpointing. */
async function recoverAndStart(core: Core, at: { url: string; db: Db; bus: Bus; logger: Logger }): Promise<void> {
  const recovered = (await core.service.recover()) + (await core.challenges.recover()) + (await core.events.recover());
  const unsettled = await core.settlement.recover();
  await core.checkpointer.start();
  at.logger.info(
    {
      url: at.url,
      validators: core.policy.n,
      quorum: core.policy.name,
      log_size: core.sequencer.size,
      recovered,
      unsettled,
      db: at.db.kind,
      bus: at.bus.kind,
    },
    "coordinator started",
  );
}

/** Stops in the reverse order of start: intake first, then the components, then what was not handed in. */
async function closeAll(r: {
  core: Core;
  app: FastifyInstance;
  accounts: RunningAccounts;
  heartbeats: Heartbeats;
  deadLetters: { stop(): void };
  backlog: { stop(): void };
  given: Given | undefined;
  db: Db;
  bus: Bus;
}): Promise<void> {
  const { core } = r;
  r.heartbeats.stop();
  r.deadLetters.stop();
  r.backlog.stop();
  core.challenges.stop();
  await r.app.close();
  await r.accounts.close();
  core.audit.stop();
  await core.aggregator.stop();
  await core.events.stop();
  await core.webhooks.stop();
  await core.settlement.stop();
  await core.checkpointer.stop();
  await core.sequencer.stop();
  if (!r.given?.bus) await r.bus.close();
  if (!r.given?.db) await r.db.close();
}
