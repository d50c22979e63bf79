/** Starts one validator node from its frozen configuration. */
import { dirname } from "node:path";
import { connectJetStream, roleInbox, type Bus } from "../lib/bus/index.ts";
import { createLogger, type Logger } from "../lib/logger.ts";
import { loadKeyFile, NoteVerifier, topology, Verifier, type Signer, type Topology } from "../protocol/index.ts";
import type { LiveLists } from "../rules/index.ts";
import { startAuditCache } from "./audit-cache.ts";
import type { ValidatorConfig } from "./config.ts";
import { runEventActor } from "./events.ts";
import { fault } from "./faults.ts";
import { startGossip, type Gossip } from "./gossip.ts";
import { startRiskEngine } from "./risk.ts";
import { runValidator } from "./validator.ts";
import { httpConsistencyProofs } from "./log-proofs.ts";
import { runWitness, type RunningWitness } from "./witness.ts";
import { serveWitnessHttp, type WitnessHttp } from "./witness-http.ts";
import { createValidatorMetrics, measured, serveMetrics, type MetricsHttp } from "./metrics.ts";

export { parseValidatorConfig, type ValidatorConfig } from "./config.ts";
export { FaultMode } from "./faults.ts";
export { PackSchedule } from "./packs.ts";
export { sanctionsLists } from "./risk.ts";
export { scoreEvent, scoreFacts, scorePayment, type ScorerComponents } from "./scorer.ts";
export { ValidatorState } from "./state/state.ts";

export interface RunningValidator {
  id: string;
  witness: RunningWitness | undefined;
  gossip: Gossip | undefined;
  /** The witness's HTTP endpoint (with `witnessListen`). */
  witnessHttp: WitnessHttp | undefined;
  /** Where the node serves `GET /metrics` (with `metricsListen`). */
  metricsHttp: MetricsHttp | undefined;
  /** The pack newest loaded (it may not have taken effect yet). */
  packHash(): string;
  stop(): Promise<void>;
}

/** `bus` may be given (the in-process bus); otherwise the node connects to `natsUrl`. */
export async function startValidator(config: ValidatorConfig, bus?: Bus, live?: LiveLists): Promise<RunningValidator> {
  const logger = createLogger(`validator-${config.id}`, config.logLevel);
  const key = loadKeyFile(config.keyFile);
  const ownBus =
    bus ??
    (await connectJetStream(config.natsUrl, {
      name: `sentineliq-validator-${config.id}`,
      credsFile: config.natsCreds,
      tls: config.natsTls,
      inboxPrefix: roleInbox({ kind: "validator", id: config.id }),
      // With credentials, streams are the coordinator's to create: the validator waits for them.
      createStreams: config.natsCreds === undefined,
    }));
  const t = topology(config.namespace);
  const busKey = new Verifier(Buffer.from(config.coordinatorKey, "hex"));
  // The audited-code registry, kept up to date over the bus: live lists the rules read.
  const audit = await startAuditCache(ownBus, t.buckets.audit, logger, busKey);
  const risk = startRiskEngine(config, logger, live ?? audit.lists);
  const metrics = createValidatorMetrics(config.id);
  const score = measured(metrics, { payment: risk.scorePayment, event: risk.scoreEvent });
  const actor = await runValidator({
    id: config.id,
    bus: ownBus,
    signer: key.signer,
    busKey,
    topology: t,
    logger,
    maxInFlight: config.maxInFlight,
    score: score.payment,
    observe: risk.observePayment,
    behind: audit.behind,
    ...(config.faulty ? { fault: fault(config.faulty, { slowMs: config.slowMs }) } : {}),
  });
  const events = await runEventActor({
    id: config.id,
    bus: ownBus,
    signer: key.signer,
    busKey,
    topology: t,
    logger,
    score: score.event,
  });
  const { witness, gossip, witnessHttp } = await startWitness(config, ownBus, t, key.signer, logger);
  const metricsHttp = await serveMetrics(config.metricsListen, metrics.register, logger);
  if (config.faulty)
    logger.warn({ id: config.id, mode: config.faulty }, "FAULT DRILL: this validator misbehaves on purpose");
  logger.info(
    {
      id: config.id,
      witness: Boolean(witness),
      witness_http: witnessHttp?.url,
      metrics_http: metricsHttp?.url,
      gossip: gossip?.addresses,
      pack: risk.packs.latest.name,
      pack_hash: risk.packs.latest.hash,
      shadow: risk.shadow?.latest.hash,
      sanctions: risk.sanctions?.source ?? "off",
      public_key: key.publicKeyHex,
    },
    "validator started",
  );
  return {
    id: config.id,
    witness,
    gossip,
    witnessHttp,
    metricsHttp,
    packHash: () => risk.packs.latest.hash,
    async stop() {
      risk.close();
      await witnessHttp?.close();
      await metricsHttp?.close();
      witness?.stop();
      await gossip?.stop();
      await events.stop();
      await actor.stop();
      await audit.stop();
      if (!bus) await ownBus.close();
    },
  };
}

/**
 * The log witness (when the node knows the log's key), its HTTP endpoint, and checkpoint gossip between
 * witnesses (each when configured).
 */
async function startWitness(
  config: ValidatorConfig,
  bus: Bus,
  t: Topology,
  signer: Signer,
  logger: Logger,
): Promise<Pick<RunningValidator, "witness" | "gossip" | "witnessHttp">> {
  if (!config.logVkey) return { witness: undefined, gossip: undefined, witnessHttp: undefined };
  const log = NoteVerifier.fromVkey(config.logVkey);
  // Gossip starts first (the witness publishes through it); what it hears before the witness exists is dropped.
  const started: { witness?: RunningWitness } = {};
  const gossip = config.p2pListen
    ? await startGossip({
        listen: config.p2pListen,
        peers: config.p2pPeers,
        topic: `sentineliq/checkpoints/${log.name}`,
        logger,
        onMessage: (data, from) => void started.witness?.heard(Buffer.from(data).toString("utf8"), from),
      })
    : undefined;
  const witness = runWitness({
    id: config.id,
    bus,
    topology: t,
    signer,
    log,
    stateDir: config.stateDir ?? dirname(config.keyFile),
    logger,
    onCosigned: (note) => void gossip?.publish(Buffer.from(note)).catch(() => {}),
    ...(config.logUrl ? { proofs: httpConsistencyProofs(config.logUrl) } : {}),
  });
  started.witness = witness;
  const witnessHttp = config.witnessListen
    ? await serveWitnessHttp({ listen: config.witnessListen, add: witness.add, logger })
    : undefined;
  return { witness, gossip, witnessHttp };
}
