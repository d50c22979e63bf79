/**
 * The coordinator's components behind the HTTP API, started in dependency
 * order: the log first (the audit registry is a projection of it), then
 * settlement, checkpoints, challenges, payments and their quorum, events.
 */
import type { Bus } from "../lib/bus/index.ts";
import type { Db } from "../lib/db.ts";
import type { Logger } from "../lib/logger.ts";
import {
  policyFor,
  sha256Hex,
  type QuorumPolicy,
  type SignedVerdict,
  type Signer,
  type Topology,
} from "../protocol/index.ts";
import { startAudit, type RunningAudit } from "./audit/index.ts";
import { ChallengeService } from "./challenges/index.ts";
import { ChallengeStore } from "./challenges/index.ts";
import type { CoordinatorConfig } from "./config.ts";
import { startEvents, type RunningEvents } from "./events/index.ts";
import { AdminTrail, openArchive, type TileArchive } from "./log/index.ts";
import { Checkpointer } from "./log/index.ts";
import { LogSequencer } from "./log/index.ts";
import { LogStore } from "./log/index.ts";
import { WitnessClient } from "./log/index.ts";
import type { Metrics } from "./metrics.ts";
import { PaymentService } from "./payments/index.ts";
import { Aggregator, type Observed } from "./quorum/index.ts";
import { Exclusions } from "./quorum/index.ts";
import { Reputation } from "./quorum/index.ts";
import type { ChainBackend } from "./settlement/index.ts";
import { startSettlement, type RunningSettlement } from "./settlement/index.ts";
import { PaymentStore } from "./store/index.ts";
import { startWebhooks, type RunningWebhooks } from "./webhooks/index.ts";

export interface CoreComponents {
  config: CoordinatorConfig;
  db: Db;
  bus: Bus;
  topology: Topology;
  logger: Logger;
  metrics: Metrics;
  logSigner: Signer;
  /** Signs what the coordinator puts on the bus; its own consumers verify with its public key. */
  busSigner: Signer;
  chain?: ChainBackend;
}

export interface Core {
  sequencer: LogSequencer;
  logReader: LogStore;
  audit: RunningAudit;
  settlement: RunningSettlement;
  policy: QuorumPolicy;
  checkpointer: Checkpointer;
  /** The log archive (ARCHIVE_URL / tileArchiveDir), or null; erasure rewrites its entry bundles. */
  archive: TileArchive | null;
  challenges: ChallengeService;
  service: PaymentService;
  aggregator: Aggregator;
  events: RunningEvents;
  exclusions: Exclusions;
  reputation: Reputation;
  /** The audit trail of people and system changes (admin entries in the log). */
  trail: AdminTrail;
  webhooks: RunningWebhooks;
}

type LogParts = Pick<Core, "sequencer" | "logReader" | "audit" | "trail">;

export async function startCore(c: CoreComponents): Promise<Core> {
  const { config, db, bus, topology: t, logger } = c;
  const log = await startLog(c);
  const webhooks = await startWebhooks({
    db,
    bus,
    topology: t,
    busSigner: c.busSigner,
    config: config.webhooks,
    logger,
    register: c.metrics.register,
  });
  const settlement = await startSettlement({
    config: config.settlement,
    db,
    bus,
    topology: t,
    logger,
    register: c.metrics.register,
    busSigner: c.busSigner,
    ...(c.chain ? { chain: c.chain } : {}),
  });
  const policy = policyFor(config.validatorSet, config.failClosed);
  const archive = openArchive(config, { log: log.logReader, logger, metrics: c.metrics });
  const checkpointer = newCheckpointer(c, log, policy, webhooks, archive);
  const challenges = new ChallengeService({
    store: new ChallengeStore(db),
    sequencer: log.sequencer,
    logger,
    ttlMs: config.challengeTtlMs,
    maxAttempts: config.maxAttempts,
    onClosed: () => {},
  });
  const exclusions = new Exclusions({ db, sequencer: log.sequencer, policy, logger, metrics: c.metrics });
  await exclusions.load();
  const reputation = new Reputation(config.validatorSet, c.metrics, logger);
  const { service, aggregator } = await startPayments(c, log, settlement, challenges, {
    exclusions,
    reputation,
    webhooks,
  });
  const events = await startEvents({
    db,
    bus,
    topology: t,
    sequencer: log.sequencer,
    validatorSet: config.validatorSet,
    busSigner: c.busSigner,
    policy,
    deadlineMs: config.quorumDeadlineMs,
    logger,
    metrics: c.metrics,
    exclusions: () => exclusions.current(),
  });
  return {
    ...log,
    settlement,
    policy,
    checkpointer,
    archive,
    challenges,
    service,
    aggregator,
    events,
    exclusions,
    reputation,
    webhooks,
  };
}

async function startLog(c: CoreComponents): Promise<LogParts> {
  const sequencer = new LogSequencer({
    db: c.db,
    bus: c.bus,
    topology: c.topology,
    logger: c.logger,
    validatorSet: c.config.validatorSet,
    busSigner: c.busSigner,
    logKey: c.logSigner.publicKey,
  });
  await sequencer.init();
  // The audit registry is a projection of its log entries: it must be listening before entries are integrated.
  const audit = await startAudit({
    db: c.db,
    bus: c.bus,
    bucket: c.topology.buckets.audit,
    sequencer,
    logger: c.logger,
    busSigner: c.busSigner,
    auditors: c.config.validatorSet.auditors,
  });
  await sequencer.start();
  c.metrics.logEntries.set(sequencer.size);
  sequencer.onIntegrated((size) => c.metrics.logEntries.set(size));
  const trail = new AdminTrail({ sequencer, signer: c.logSigner, logger: c.logger });
  return { sequencer, audit, logReader: new LogStore(c.db), trail };
}

function newCheckpointer(
  c: CoreComponents,
  log: LogParts,
  policy: QuorumPolicy,
  webhooks: RunningWebhooks,
  archive: TileArchive | null,
): Checkpointer {
  const { config } = c;
  const { logReader } = log;
  const witnesses = new WitnessClient({
    bus: c.bus,
    topology: c.topology,
    validatorSet: config.validatorSet,
    logger: c.logger,
    proof: (a, b) => logReader.consistencyProof(a, b),
    external: config.externalWitnesses,
  });
  return new Checkpointer({
    origin: config.logOrigin,
    signer: c.logSigner,
    store: logReader,
    sequencer: log.sequencer,
    witnesses,
    witnessQuorum: config.witnessQuorum ?? policy.approve,
    externalWitnessQuorum: config.externalWitnessQuorum ?? config.externalWitnesses.length,
    intervalMs: config.checkpointIntervalMs,
    archive,
    logger: c.logger,
    metrics: c.metrics,
    onAlarm: (kind, detail) =>
      webhooks.emit({
        // One event per distinct problem (the checkpointer alarms once per problem, too).
        id: `log.alarm:${kind}:${sha256Hex(String(detail["problem"])).slice(0, 32)}`,
        type: "log.alarm",
        tenant: null,
        data: { kind, ...detail },
      }),
  });
}

async function startPayments(
  c: CoreComponents,
  log: LogParts,
  settlement: RunningSettlement,
  challenges: ChallengeService,
  { exclusions, reputation, webhooks }: Pick<Core, "exclusions" | "reputation" | "webhooks">,
): Promise<Pick<Core, "service" | "aggregator">> {
  const { config, bus, topology, logger, metrics } = c;
  const validatorSet = config.validatorSet;
  const exclude = (id: string, verdicts: [SignedVerdict, SignedVerdict]): void => {
    const { payment_id, attempt } = verdicts[0].verdict;
    exclusions
      .exclude(id, { payment_id, attempt, verdicts })
      .then(() =>
        webhooks.emit({
          id: `validator.flagged:${id}:${payment_id}:${attempt}`,
          type: "validator.flagged",
          tenant: null,
          data: { validator_id: id, reason: "equivocation", payment_id, attempt },
        }),
      )
      .catch((err: Error) => logger.error({ validator_id: id, err: err.message }, "exclusion not logged"));
  };
  const service = new PaymentService({
    store: new PaymentStore(c.db),
    bus,
    topology,
    sequencer: log.sequencer,
    logReader: log.logReader,
    validatorSet,
    failClosed: config.failClosed,
    reputation,
    challenges,
    prescreen: config.prescreen,
    deadlineMs: config.quorumDeadlineMs,
    logger,
    metrics,
    auditRevision: () => log.audit.revision,
    busSigner: c.busSigner,
    settlement: settlement.handoff,
    notify: webhooks.emit,
  });
  const aggregator = new Aggregator({
    bus,
    topology,
    validatorSet,
    deadlineMs: config.quorumDeadlineMs,
    graceMs: config.quorumGraceMs,
    logger,
    metrics,
    // An equivocation, caught before or after the decision, excludes the validator once the evidence is logged.
    onDecision: async (e, result, observed: Observed) => {
      await service.onDecision(e, result, observed);
      for (const q of observed.equivocations) exclude(q.validator_id, q.verdicts);
    },
    onLateEquivocation: async (id, verdicts) => {
      await service.onLateEquivocation(id, verdicts);
      exclude(id, verdicts);
    },
    onEscalate: service.onEscalate,
    exclusions: () => exclusions.current(),
  });
  service.attach(aggregator);
  await aggregator.start();
  return { service, aggregator };
}
