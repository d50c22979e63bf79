/** Long-running commands: `coordinator` and `node`, stopped cleanly by SIGINT/SIGTERM. */
import { parseCoordinatorConfig, readJsonFile, startCoordinator } from "../../coordinator/index.ts";
import { parseValidatorConfig, startValidator } from "../../node/index.ts";
import { existsSync, readFileSync } from "node:fs";
import { env } from "../shared/env.ts";
import { untilSignal } from "../launcher/processes.ts";
import { withEnv } from "../shared/settlement.ts";

export async function runCoordinator(configFile: string): Promise<void> {
  const raw = readJsonFile(configFile) as Record<string, unknown>;
  if (typeof raw.validatorSetFile === "string") raw.validatorSet = readJsonFile(raw.validatorSetFile);
  delete raw.validatorSetFile;
  if (env.port !== undefined) raw.port = env.port;
  if (env.natsUrl) raw.natsUrl = env.natsUrl;
  if (env.databaseUrl) raw.databaseUrl = env.databaseUrl;
  if (env.logLevel) raw.logLevel = env.logLevel;
  raw.settlement = withEnv(raw.settlement as Record<string, unknown> | undefined, env);
  const running = await startCoordinator(parseCoordinatorConfig(raw));
  await untilSignal();
  await running.close();
}

export async function runNode(flags: {
  id: string;
  keyFile: string;
  natsUrl: string;
  namespace: string;
  rulesDir?: string;
  shadowRulesDir?: string;
  sanctionsDir?: string;
  faulty?: string;
  logVkey?: string;
  p2pListen?: string;
  p2pPeers?: string[];
}): Promise<void> {
  // --log-vkey takes the key itself or a file holding it (as `keys init` writes).
  const logVkey =
    flags.logVkey && existsSync(flags.logVkey) ? readFileSync(flags.logVkey, "utf8").trim() : flags.logVkey;
  const config = parseValidatorConfig({ ...flags, ...(logVkey ? { logVkey } : {}), logLevel: env.logLevel ?? "info" });
  const running = await startValidator(config);
  await untilSignal();
  await running.stop();
}
