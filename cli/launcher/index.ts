/**
 * The one launcher of SentinelIQ networks, for `sentineliq dev`, the benches
 * and the tests: the bus (NATS_URL, a spawned nats-server, or the in-process
 * bus), the store (PostgreSQL or PGlite), and the coordinator with N
 * validators, as processes or in this process; and stopping them cleanly.
 * It is an entry-point assembler: it imports both coordinator/ and node/,
 * which never import each other.
 */
export { startBus, IN_PROCESS_BANNER, type BusAccess, type BusChoice, type StartedBus } from "./bus.ts";
export { ensureNatsAuth, type NatsAuth } from "./nats-auth.ts";
export { claimStore, lockHolder, StoreBusyError, type ClaimedStore, type StoreChoice } from "./store.ts";
export { launchNetwork } from "./network.ts";
export {
  LaunchError,
  DEFAULT_READY_TIMEOUT_MS,
  type LaunchedNetwork,
  type NetworkSpec,
  type ProcessEntry,
  type ValidatorInput,
} from "./spec.ts";
export { BIN, spawnSelf, stopAll, untilSignal, type Child } from "./processes.ts";
export {
  apiKeyHash,
  devTenant,
  DEV_AGENT_IDS,
  examplePayment,
  initNetwork,
  prepareWorkspace,
  EXAMPLE_FUNC_HASH,
  type Workspace,
} from "./workspace.ts";
