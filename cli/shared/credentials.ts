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
  /** The dev bus (it admits only the network's NKey users when `sentineliq dev` started it). */
  nats_url: z.string().min(1).optional(),
  /** The dev organisation's approver key (confirms or declines step-ups). */
  approver_key: z.string().min(1).optional(),
  /** The dev organisation's owner (the account commands sign in as them by default). */
  owner_email: z.string().min(1).optional(),
  owner_password: z.string().min(1).optional(),
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

type Role = "auditor" | "operator" | "approver";
const ENV_KEY = { auditor: "auditorKey", operator: "operatorKey", approver: "approverKey" } as const;

/** Where a person's command finds the network: --<role>-key, SENTINELIQ_<ROLE>_KEY, then the dev credentials. */
function resolveRoleTarget(role: Role, flags: { url?: string; key?: string }): Target & { apiKey: string } {
  const dev = devCredentials();
  const baseUrl = flags.url ?? env.sentineliqUrl ?? dev?.base_url;
  const apiKey = flags.key ?? env[ENV_KEY[role]] ?? dev?.[`${role}_key`];
  if (!baseUrl || !apiKey) {
    const ROLE = role.toUpperCase();
    throw new Error(
      `no ${role} key: pass --url and --${role}-key, set SENTINELIQ_URL and SENTINELIQ_${ROLE}_KEY, or run \`npm start\` first`,
    );
  }
  return { baseUrl, apiKey };
}

/** The tAudit auditor's target (approve and revoke code hashes). */
export const resolveAuditorTarget = (flags: { url?: string; auditorKey?: string }) =>
  resolveRoleTarget("auditor", { url: flags.url, key: flags.auditorKey });

/** The operator's target (validators list | reinstate). */
export const resolveOperatorTarget = (flags: { url?: string; operatorKey?: string }) =>
  resolveRoleTarget("operator", { url: flags.url, key: flags.operatorKey });

/** The approver's target (confirm or decline step-ups). */
export const resolveApproverTarget = (flags: { url?: string; approverKey?: string }) =>
  resolveRoleTarget("approver", { url: flags.url, key: flags.approverKey });
