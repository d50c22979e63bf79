/** Starts one validator node from its frozen configuration. */
import { connectJetStream } from "../lib/bus/jetstream.ts";
import type { Bus } from "../lib/bus/types.ts";
import { createLogger } from "../lib/logger.ts";
import { dirname } from "node:path";
import { loadKeyFile, NoteVerifier, topology } from "../protocol/index.ts";
import { loadPack } from "../rules/index.ts";
import { startAuditCache } from "./audit-cache.ts";
import type { ValidatorConfig } from "./config.ts";
import { startGossip, type Gossip } from "./gossip.ts";
import { fault } from "./faults.ts";
import { runValidator } from "./validator.ts";
import { runWitness, type RunningWitness } from "./witness.ts";

export { parseValidatorConfig, type ValidatorConfig } from "./config.ts";
export { FaultMode } from "./faults.ts";

export interface RunningValidator {
  id: string;
  witness: RunningWitness | undefined;
  gossip: Gossip | undefined;
  stop(): Promise<void>;
}

/** `bus` may be given (the in-process bus); otherwise the node connects to `natsUrl`. */
export async function startValidator(config: ValidatorConfig, bus?: Bus): Promise<RunningValidator> {
  const logger = createLogger(`validator-${config.id}`, config.logLevel);
  const key = loadKeyFile(config.keyFile);
  const ownBus = bus ?? (await connectJetStream(config.natsUrl, `sentineliq-validator-${config.id}`));
  const audit = await startAuditCache(ownBus, topology(config.namespace).buckets.audit, logger);
  const pack = loadPack(config.rulesDir, audit.lists);
  const actor = await runValidator({
    id: config.id,
    bus: ownBus,
    signer: key.signer,
    pack: () => pack,
    topology: topology(config.namespace),
    logger,
    maxInFlight: config.maxInFlight,
    behind: audit.behind,
    ...(config.faulty ? { fault: fault(config.faulty, { slowMs: config.slowMs }) } : {}),
  });
  let witness: RunningWitness | undefined;
  let gossip: Gossip | undefined;
  if (config.logVkey) {
    const log = NoteVerifier.fromVkey(config.logVkey);
    if (config.p2pListen) {
      gossip = await startGossip({
        listen: config.p2pListen,
        peers: config.p2pPeers,
        topic: `sentineliq/checkpoints/${log.name}`,
        logger,
        onMessage: (data, from) => witness?.heard(Buffer.from(data).toString("utf8"), from),
      });
    }
    witness = runWitness({
      id: config.id,
      bus: ownBus,
      topology: topology(config.namespace),
      signer: key.signer,
      log,
      stateDir: config.stateDir ?? dirname(config.keyFile),
      logger,
      onCosigned: (note) => void gossip?.publish(Buffer.from(note)).catch(() => {}),
    });
  }
  if (config.faulty) logger.warn({ id: config.id, mode: config.faulty }, "FAULT DRILL: this validator misbehaves on purpose");
  logger.info({ id: config.id, witness: Boolean(witness), gossip: gossip?.addresses, pack: pack.name, pack_hash: pack.hash, public_key: key.publicKeyHex }, "validator started");
  return {
    id: config.id,
    witness,
    gossip,
    async stop() {
      witness?.stop();
      await gossip?.stop();
      await actor.stop();
      await audit.stop();
      if (!bus) await ownBus.close();
    },
  };
}
