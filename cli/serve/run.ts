/** Long-running commands: `coordinator` and `node`, stopped cleanly by SIGINT, SIGTERM or SIGHUP. */
import { existsSync, readFileSync } from "node:fs";
import { parseCoordinatorConfig, readJsonFile, startCoordinator } from "../../coordinator/index.ts";
import { parseValidatorConfig, startValidator } from "../../node/index.ts";
import { untilSignal } from "../launcher/processes.ts";
import { env } from "../shared/env.ts";
import { withEnv } from "../shared/settlement.ts";
import { withSmtpEnv } from "./accounts-env.ts";

/** A JSON config file's top level, which must be an object. */
export function readConfigObject(file: string): Record<string, unknown> {
  const raw = readJsonFile(file);
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new Error(`${file}: a config file holds one JSON object`);
  return raw as Record<string, unknown>;
}

export async function runCoordinator(configFile: string): Promise<void> {
  const raw = readConfigObject(configFile);
  if (typeof raw.validatorSetFile === "string") raw.validatorSet = readJsonFile(raw.validatorSetFile);
  delete raw.validatorSetFile;
  if (env.port !== undefined) raw.port = env.port;
  if (env.natsUrl) raw.natsUrl = env.natsUrl;
  Object.assign(raw, natsAccess());
  if (env.databaseUrl) raw.databaseUrl = env.databaseUrl;
  if (env.logLevel) raw.logLevel = env.logLevel;
  if (env.archiveUrl) {
    raw.archiveUrl = env.archiveUrl;
    delete raw.tileArchiveDir;
  }
  if (env.s3Credentials) raw.archiveCredentials = env.s3Credentials;
  raw.settlement = withEnv(raw.settlement as Record<string, unknown> | undefined, env);
  raw.http = httpWithEnv(raw.http as Record<string, unknown> | undefined);
  const running = await startCoordinator(parseCoordinatorConfig(withSmtpEnv(raw, env.smtpUrl)));
  await untilSignal();
  await running.close();
}

/** TRUSTED_HOSTS, CORS_ORIGINS, TLS_CERT_FILE/TLS_KEY_FILE and TRUST_PROXY override the config file's `http`. */
export function httpWithEnv(http: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...http,
    ...(env.trustedHosts ? { trustedHosts: env.trustedHosts } : {}),
    ...(env.corsOrigins ? { corsOrigins: env.corsOrigins } : {}),
    ...(env.httpTls ? { tls: env.httpTls } : {}),
    ...(env.trustProxy !== undefined ? { trustProxy: env.trustProxy } : {}),
  };
}

/** A validator's settings from the command line; each one given overrides the config file's. */
export interface NodeFlags {
  config?: string | undefined;
  id?: string | undefined;
  keyFile?: string | undefined;
  natsUrl?: string | undefined;
  namespace?: string | undefined;
  rulesDir?: string | undefined;
  shadowRulesDir?: string | undefined;
  sanctionsDir?: string | undefined;
  faulty?: string | undefined;
  logVkey?: string | undefined;
  stateDir?: string | undefined;
  coordinatorKey?: string | undefined;
  p2pListen?: string | undefined;
  p2pPeers?: string[] | undefined;
  witnessListen?: string | undefined;
  metricsListen?: string | undefined;
  logUrl?: string | undefined;
}

/** NATS_CREDS and the NATS_TLS_* files, which override a config file's `natsCreds` and `natsTls`. */
function natsAccess(): Record<string, unknown> {
  return { ...(env.natsCreds ? { natsCreds: env.natsCreds } : {}), ...(env.natsTls ? { natsTls: env.natsTls } : {}) };
}

/** Flags, then NATS_URL, NATS_CREDS, NATS_TLS_* and LOG_LEVEL, then the config file, then the defaults. */
export function nodeConfig(flags: NodeFlags): Record<string, unknown> {
  const file = flags.config ? readConfigObject(flags.config) : {};
  const given = Object.fromEntries(Object.entries(flags).filter(([k, v]) => k !== "config" && v !== undefined));
  const config: Record<string, unknown> = { natsUrl: "nats://127.0.0.1:4222", ...file };
  if (env.natsUrl) config.natsUrl = env.natsUrl;
  Object.assign(config, natsAccess());
  if (env.logLevel) config.logLevel = env.logLevel;
  Object.assign(config, given);
  if (config.id === undefined || config.keyFile === undefined)
    throw new Error("node needs --id and --key, or a --config file that names them");
  // --log-vkey takes the key itself or a file holding it (as `keys init` writes).
  if (typeof config.logVkey === "string" && existsSync(config.logVkey))
    config.logVkey = readFileSync(config.logVkey, "utf8").trim();
  if (typeof config.coordinatorKey === "string" && existsSync(config.coordinatorKey))
    config.coordinatorKey = readFileSync(config.coordinatorKey, "utf8").trim();
  return config;
}

export async function runNode(flags: NodeFlags): Promise<void> {
  const running = await startValidator(parseValidatorConfig(nodeConfig(flags)));
  await untilSignal();
  await running.stop();
}
