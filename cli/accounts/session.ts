/**
 * How the account commands act as a person: the coordinator (--url,
 * SENTINELIQ_URL, the dev credentials), who signs in (--user, SENTINELIQ_EMAIL,
 * the dev owner) with SENTINELIQ_PASSWORD (dev: the owner's), a login for the
 * one command, and a logout after it, so no session outlives the command.
 */
import type { TokenPair, WireError } from "../../protocol/index.ts";
import { call, type CallResult, type Target } from "../shared/client.ts";
import { devCredentials } from "../shared/credentials.ts";
import { env } from "../shared/env.ts";
import { UsageError } from "../shared/flags.ts";

export interface PersonFlags {
  url?: string | undefined;
  user?: string | undefined;
}

/** The coordinator's URL: --url, SENTINELIQ_URL, then the dev credentials. */
export function baseUrlOf(flags: { url?: string | undefined }): string {
  const url = flags.url ?? env.sentineliqUrl ?? devCredentials()?.base_url;
  if (!url) throw new UsageError("no coordinator: pass --url, set SENTINELIQ_URL, or run `npm start` first");
  return url;
}

/** What a refusal prints: the status, the code and the message. */
export function refusal(res: CallResult<unknown>): string {
  const e = res.body as WireError;
  return `✗ ${res.status} ${e.code ?? ""}: ${e.message ?? res.text}`;
}

/** Signs in, runs `fn` with the access token as the target's key, then logs out (even when `fn` throws). */
export async function asPerson<T>(flags: PersonFlags, fn: (target: Target) => Promise<T>): Promise<T> {
  const baseUrl = baseUrlOf(flags);
  const dev = devCredentials();
  const email = flags.user ?? env.email ?? dev?.owner_email;
  const password = env.password ?? (email === dev?.owner_email ? dev?.owner_password : undefined);
  if (!email || !password)
    throw new UsageError(
      "who signs in: pass --user and set SENTINELIQ_PASSWORD (or SENTINELIQ_EMAIL), or run `npm start` for the dev owner",
    );
  const login = await call({ baseUrl }, "authLogin", { body: { email, password } });
  if (login.status !== 200) throw new UsageError(`cannot sign in as ${email}: ${refusal(login)}`);
  const tokens = login.body as TokenPair;
  try {
    return await fn({ baseUrl, apiKey: tokens.access_token });
  } finally {
    await call({ baseUrl }, "authLogout", { body: { refresh_token: tokens.refresh_token } });
  }
}
