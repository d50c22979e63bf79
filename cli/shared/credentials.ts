/** Where CLI commands find the network: flags, then SENTINELIQ_URL / SENTINELIQ_API_KEY, then the dev credentials. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { env } from "./env.ts";
import type { Target } from "./client.ts";

export const DEV_DIR = ".sentineliq";

export interface DevCredentials {
  api_key: string;
  base_url: string;
  log_vkey: string;
  example_payment: Record<string, unknown>;
  /** The dev network's tAudit auditor key. */
  auditor_key?: string;
}

export function devCredentials(dir = DEV_DIR): DevCredentials | undefined {
  const file = join(resolve(dir), "dev-credentials.json");
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, "utf8")) as DevCredentials;
}

export function resolveTarget(flags: { url?: string; apiKey?: string }): Target & { apiKey: string } {
  const dev = devCredentials();
  const baseUrl = flags.url ?? env.sentineliqUrl ?? dev?.base_url;
  const apiKey = flags.apiKey ?? env.apiKey ?? dev?.api_key;
  if (!baseUrl || !apiKey) {
    throw new Error(
      "no network found: pass --url and --api-key, set SENTINELIQ_URL and SENTINELIQ_API_KEY, or run `npm start` first",
    );
  }
  return { baseUrl, apiKey };
}

/** Where auditor commands find the network: --auditor-key, SENTINELIQ_AUDITOR_KEY, then the dev credentials. */
export function resolveAuditorTarget(flags: { url?: string; auditorKey?: string }): Target & { apiKey: string } {
  const dev = devCredentials();
  const baseUrl = flags.url ?? env.sentineliqUrl ?? dev?.base_url;
  const apiKey = flags.auditorKey ?? env.auditorKey ?? dev?.auditor_key;
  if (!baseUrl || !apiKey) {
    throw new Error(
      "no auditor key: pass --url and --auditor-key, set SENTINELIQ_URL and SENTINELIQ_AUDITOR_KEY, or run `npm start` first",
    );
  }
  return { baseUrl, apiKey };
}
