/** The rule engine: load a YAML pack directory, compile it once, evaluate facts. */
import { fileURLToPath } from "node:url";
import { compilePack, type CompiledPack, type LiveLists } from "./engine/compile.ts";
import { loadPackDir } from "./engine/load.ts";

export { compilePack, type CompiledPack, type Evaluation, type Facts, type LiveLists } from "./engine/compile.ts";
export { loadPackDir, loadPackFiles, RuleError, type PackSource } from "./engine/load.ts";
export { paymentFacts } from "./engine/facts.ts";

export const DEFAULT_PACK_DIR = fileURLToPath(new URL("./packs/default/", import.meta.url));

export function loadPack(dir: string = DEFAULT_PACK_DIR, live?: LiveLists): CompiledPack {
  return compilePack(loadPackDir(dir), live);
}
