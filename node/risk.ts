/**
 * A validator's risk engine, assembled: the OFAC lists, the live pack (and a
 * shadow pack) scheduled and hot-reloaded from their directories, and the
 * node's own state. The actors call `score`/`observe`; nothing else is shared.
 */
import type { Logger } from "../lib/logger.ts";
import type { EvaluationTask, EventTask, EventVerdict, Verdict } from "../protocol/index.ts";
import {
  compilePack,
  DEFAULT_PACK_DIR,
  loadPackDir,
  type CompileOptions,
  type LiveLists,
  findOfacDir,
  lazyOfac,
  type SanctionsLists,
} from "../rules/index.ts";
import type { ValidatorConfig } from "./config.ts";
import { PackSchedule } from "./packs.ts";
import { watchPack, type Watching } from "./reload.ts";
import { observePayment, scoreEvent, scorePayment, type ScorerComponents } from "./scorer.ts";
import { ValidatorState } from "./state/state.ts";

export interface RiskEngine {
  packs: PackSchedule;
  shadow: PackSchedule | undefined;
  sanctions: SanctionsLists | undefined;
  // Function-valued properties, not methods: the actors take them detached from the engine.
  readonly scorePayment: (task: EvaluationTask, now: Date) => Verdict;
  readonly observePayment: (task: EvaluationTask) => void;
  readonly scoreEvent: (task: EventTask, now: Date) => EventVerdict;
  close(): void;
}

const sanctionsCache = new Map<string, ReturnType<typeof lazyOfac>>();
const WARM_AFTER_MS = 3000;

/**
 * OFAC lists, one per process and directory, indexed on first use and in the
 * background shortly after start-up (so start-up stays fast and the first
 * screened name rarely waits). Undefined when no list can be found.
 */
export function sanctionsLists(dir: string | undefined, logger?: Logger): SanctionsLists | undefined {
  const found = dir ?? findOfacDir();
  if (!found) {
    logger?.warn("no OFAC list found (data/ofac); sanctioned-entity screening is OFF on this node");
    return undefined;
  }
  let lists = sanctionsCache.get(found);
  if (!lists) {
    const made = lazyOfac(found);
    sanctionsCache.set(found, (lists = made));
    setTimeout(() => {
      if (made.loaded) return;
      const t0 = performance.now();
      made.warm();
      logger?.info({ entities: made.entities, ms: Math.round(performance.now() - t0) }, "OFAC lists indexed");
    }, WARM_AFTER_MS).unref();
  }
  return lists;
}

export function startRiskEngine(config: ValidatorConfig, logger: Logger, live?: LiveLists): RiskEngine {
  const sanctions = sanctionsLists(config.sanctionsDir, logger);
  const opts: CompileOptions = { ...(live ? { live } : {}), ...(sanctions ? { screeners: sanctions } : {}) };
  const rulesDir = config.rulesDir ?? DEFAULT_PACK_DIR;
  const packs = new PackSchedule(compilePack(loadPackDir(rulesDir), opts));
  const shadow = config.shadowRulesDir
    ? new PackSchedule(compilePack(loadPackDir(config.shadowRulesDir), opts))
    : undefined;
  const scorer: ScorerComponents = { state: new ValidatorState(), packs, shadow };
  const watchers: Watching[] = [];
  if (config.watchRules) {
    const watchOne = (dir: string, schedule: PackSchedule, label: string) =>
      watchPack(
        dir,
        schedule,
        { ...opts, graceMs: config.reloadGraceMs },
        {
          onSwap: (pack, at) =>
            logger.info(
              { pack: pack.name, pack_hash: pack.hash, effective_at: new Date(at).toISOString(), label },
              "rule pack reloaded",
            ),
          onReject: (err) =>
            logger.error({ label, error: err.message }, `rule pack rejected, the running pack stays: ${err.message}`),
        },
      );
    watchers.push(watchOne(rulesDir, packs, "live"));
    if (shadow && config.shadowRulesDir) watchers.push(watchOne(config.shadowRulesDir, shadow, "shadow"));
  }
  return {
    packs,
    shadow,
    sanctions,
    scorePayment: (task, now) => scorePayment(scorer, task, config.id, now),
    observePayment: (task) => observePayment(scorer, task),
    scoreEvent: (task, now) => scoreEvent(scorer, task, config.id, now),
    close: () => watchers.forEach((w) => w.close()),
  };
}
