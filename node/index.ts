/** Starts one validator node from its frozen configuration. */
import { connectJetStream } from "../lib/bus/jetstream.ts";
import type { Bus } from "../lib/bus/types.ts";
import { createLogger } from "../lib/logger.ts";
import { loadKeyFile, topology } from "../protocol/index.ts";
import { loadPack } from "../rules/index.ts";
import { startAuditCache } from "./audit-cache.ts";
import type { ValidatorConfig } from "./config.ts";
import { fault } from "./faults.ts";
import { runValidator } from "./validator.ts";

export { parseValidatorConfig, type ValidatorConfig } from "./config.ts";
export { FaultMode } from "./faults.ts";

export interface RunningValidator {
  id: string;
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
  if (config.faulty) logger.warn({ id: config.id, mode: config.faulty }, "FAULT DRILL: this validator misbehaves on purpose");
  logger.info({ id: config.id, pack: pack.name, pack_hash: pack.hash, public_key: key.publicKeyHex }, "validator started");
  return {
    id: config.id,
    async stop() {
      await actor.stop();
      await audit.stop();
      if (!bus) await ownBus.close();
    },
  };
}
