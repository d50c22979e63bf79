/** Where CLI commands find the network: flags, then SENTINELIQ_URL / SENTINELIQ_API_KEY, then the dev credentials. */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { env } from "./env.ts";
import type { Target } from "./client.ts";

export const DEV_DIR = ".sentineliq";

/** What `sentineliq dev` writes to dev-credentials.json (checked when read: anyone can edit the file). */
const DevCredentials = z.object({
  api_key: z.string().min(1),
  base_url: z.string().min(1),
  log_vkey: z.string().min(1),
  example_payment: z.record(z.string(), z.unknown()),
  /** The dev network's tAudit auditor key. */
  auditor_key: z.string().min(1).optional(),
  /** The dev network's operator key (validators list | reinstate). */
  operator_key: z.string().min(1).optional(),
});
export type DevCredentials = z.infer<typeof DevCredentials>;

export function devCredentials(dir = DEV_DIR): DevCredentials | undefined {
  const file = join(resolve(dir), "dev-credentials.json");
  if (!existsSync(file)) return undefined;
  const parsed = DevCredentials.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success)
    throw new Error(`${file} is not what \`sentineliq dev\` writes: ${parsed.error.issues[0]!.message}; delete it`);
  return parsed.data;
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

/** Where operator commands find the network: --operator-key, SENTINELIQ_OPERATOR_KEY, then the dev credentials. */
export function resolveOperatorTarget(flags: { url?: string; operatorKey?: string }): Target & { apiKey: string } {
  const dev = devCredentials();
  const baseUrl = flags.url ?? env.sentineliqUrl ?? dev?.base_url;
  const apiKey = flags.operatorKey ?? env.operatorKey ?? dev?.operator_key;
  if (!baseUrl || !apiKey) {
    throw new Error(
      "no operator key: pass --url and --operator-key, set SENTINELIQ_URL and SENTINELIQ_OPERATOR_KEY, or run `npm start` first",
    );
  }
  return { baseUrl, apiKey };
}
