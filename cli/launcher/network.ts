/**
 * Launches a network on a bus the caller chose: N validators, then the
 * coordinator, either as processes of this same program (`sentineliq node`
 * and `sentineliq coordinator`, each from a config file) or in this process.
 * Every config is parsed before anything starts, so a bad one fails at once.
 */
import { launchProcesses } from "./as-processes.ts";
import { launchInProcess } from "./in-process.ts";
import type { LaunchedNetwork, NetworkSpec } from "./spec.ts";

export function launchNetwork(spec: NetworkSpec): Promise<LaunchedNetwork> {
  return spec.mode === "processes" ? launchProcesses(spec) : launchInProcess(spec);
}
