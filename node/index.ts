/** Starts one validator node from its frozen configuration. */
import { connectJetStream } from "../lib/bus/jetstream.ts";
import type { Bus } from "../lib/bus/types.ts";
import { createLogger, type Logger } from "../lib/logger.ts";
import { loadKeyFile, topology } from "../protocol/index.ts";
import { compilePack, DEFAULT_PACK_DIR, loadPackDir, paymentFacts, type CompileOptions, type LiveLists } from "../rules/index.ts";
import { findOfacDir, loadOfac, type SanctionsLists } from "../rules/screening/ofac.ts";
import type { ValidatorConfig } from "./config.ts";
import { runEventActor } from "./events.ts";
import { PackSchedule } from "./packs.ts";
import { watchPack, type Watching } from "./reload.ts";
import { scoreEvent, scoreFacts, scorePayment, type ScorerComponents } from "./scorer.ts";
import { ValidatorState } from "./state/state.ts";
import { runValidator } from "./validator.ts";

export { parseValidatorConfig, type ValidatorConfig } from "./config.ts";
export { PackSchedule } from "./packs.ts";
export { scoreEvent, scoreFacts, scorePayment, type ScorerComponents } from "./scorer.ts";
export { ValidatorState } from "./state/state.ts";

export interface RunningValidator {
  id: string;
  /** The pack newest loaded (it may not have taken effect yet). */
  packHash(): string;
  stop(): Promise<void>;
}

const sanctionsCache = new Map<string, SanctionsLists>();

/** OFAC lists, loaded once per process and directory. Undefined when no list can be found. */
export function sanctionsLists(dir: string | undefined, logger?: Logger): SanctionsLists | undefined {
  const found = dir ?? findOfacDir();
  if (!found) {
    logger?.warn("no OFAC list found (shared/data/ofac); sanctioned-entity screening is OFF on this node");
    return undefined;
  }
  let lists = sanctionsCache.get(found);
  if (!lists) sanctionsCache.set(found, (lists = loadOfac(found)));
  return lists;
}

/** `bus` may be given (the in-process bus); otherwise the node connects to `natsUrl`. */
export async function startValidator(config: ValidatorConfig, bus?: Bus, live?: LiveLists): Promise<RunningValidator> {
  const logger = createLogger(`validator-${config.id}`, config.logLevel);
  const key = loadKeyFile(config.keyFile);
  const screeners = sanctionsLists(config.sanctionsDir, logger);
  const opts: CompileOptions = { ...(live ? { live } : {}), ...(screeners ? { screeners } : {}) };
  const rulesDir = config.rulesDir ?? DEFAULT_PACK_DIR;
  const packs = new PackSchedule(compilePack(loadPackDir(rulesDir), opts));
  const shadow = config.shadowRulesDir ? new PackSchedule(compilePack(loadPackDir(config.shadowRulesDir), opts)) : undefined;
  const scorer: ScorerComponents = { state: new ValidatorState(), packs, shadow };
  const watchers: Watching[] = [];
  if (config.watchRules) {
    const watchOne = (dir: string, schedule: PackSchedule, label: string) =>
      watchPack(dir, schedule, { ...opts, graceMs: config.reloadGraceMs }, {
        onSwap: (pack, at) => logger.info({ pack: pack.name, pack_hash: pack.hash, effective_at: new Date(at).toISOString(), label }, "rule pack reloaded"),
        onReject: (err) => logger.error({ label, error: err.message }, `rule pack rejected, the running pack stays: ${err.message}`),
      });
    watchers.push(watchOne(rulesDir, packs, "live"));
    if (shadow && config.shadowRulesDir) watchers.push(watchOne(config.shadowRulesDir, shadow, "shadow"));
  }
  const ownBus = bus ?? (await connectJetStream(config.natsUrl, `sentineliq-validator-${config.id}`));
  const t = topology(config.namespace);
  const actor = await runValidator({
    id: config.id,
    bus: ownBus,
    signer: key.signer,
    pack: () => packs.latest,
    topology: t,
    logger,
    maxInFlight: config.maxInFlight,
    score: (task, now) => scorePayment(scorer, task, config.id, now),
    observe: (task) => void scoreFacts(scorer, paymentFacts(task.payment, { tenant_id: task.tenant_id, id: task.payment_id, time: Date.parse(task.submitted_at) })),
  });
  const events = await runEventActor({ id: config.id, bus: ownBus, signer: key.signer, topology: t, logger, score: (task, now) => scoreEvent(scorer, task, config.id, now) });
  const pack = packs.latest;
  logger.info(
    { id: config.id, pack: pack.name, pack_hash: pack.hash, shadow: shadow?.latest.hash, sanctions: screeners?.entities ?? 0, public_key: key.publicKeyHex },
    "validator started",
  );
  return {
    id: config.id,
    packHash: () => packs.latest.hash,
    async stop() {
      for (const w of watchers) w.close();
      await events.stop();
      await actor.stop();
      if (!bus) await ownBus.close();
    },
  };
}
