/** The rule engine: load a YAML pack directory, compile it once, evaluate facts. */
import { fileURLToPath } from "node:url";
import { compilePack, type CompiledPack, type CompileOptions, type LiveLists } from "./engine/compile.ts";
import { loadPackDir } from "./engine/load.ts";

export {
  compilePack,
  type CompiledPack,
  type CompileOptions,
  type Evaluation,
  type Facts,
  type LiveLists,
  type Screener,
  type Screeners,
  type VelocitySpec,
} from "./engine/compile.ts";
export {
  loadPackDir,
  loadPackFiles,
  packFiles,
  RuleError,
  isRuleError,
  type PackSource,
  type SourceFile,
} from "./engine/load.ts";
// Facts are derived in protocol/ (validators, the coordinator and auditors share them); re-exported for rule users.
export { eventFacts, paymentFacts, traceFacts, type FactsOrigin } from "../protocol/index.ts";
export { parseDuration } from "./engine/duration.ts";
export { locator, yamlError, zodError } from "./engine/errors.ts";
export { Layers, type Condition, type Leaf, type Rule } from "./engine/schema.ts";
export { findOfacDir, lazyOfac, loadOfac, type SanctionsLists } from "./screening/ofac.ts";
export { parseCsv } from "./screening/csv.ts";
export { jaroWinkler } from "./screening/jaro-winkler.ts";
export { nameTokens } from "./screening/normalize.ts";

export const DEFAULT_PACK_DIR = fileURLToPath(new URL("./packs/default/", import.meta.url));

/** `live`: lists the node keeps up to date (kept as the second argument for callers of the skeleton). */
export function loadPack(
  dir: string = DEFAULT_PACK_DIR,
  live?: LiveLists,
  opts: Omit<CompileOptions, "live"> = {},
): CompiledPack {
  return compilePack(loadPackDir(dir), { ...opts, ...(live ? { live } : {}) });
}
