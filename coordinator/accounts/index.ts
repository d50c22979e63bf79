/**
 * Operator accounts: organisations, people and their roles, logins with
 * access and refresh tokens, and the email flows. Everything is data in the
 * store; every query is scoped to the caller's organisation.
 */
import type { Db } from "../../lib/db.ts";
import type { Logger } from "../../lib/logger.ts";
import type { UserAuthenticator } from "../api/index.ts";
import type { Trail } from "../log/index.ts";
import type { AccountsConfig } from "./config.ts";
import { AgentKeys, type KeyChange } from "./agent-keys.ts";
import { keyTrailEvent } from "./trail.ts";
import { accountHandlers } from "./handlers.ts";
import { LoginGuard, type LoginEvents } from "./login-guard.ts";
import { LoginStepUp } from "./step-up.ts";
import { createMailer } from "./mailer.ts";
import { OrgAdmin } from "./org-admin.ts";
import { AccountService } from "./service.ts";
import { Sessions } from "./sessions.ts";
import { SigningKeys } from "./signing-keys.ts";
import { AccountStore } from "./store.ts";

export { AccountsConfig } from "./config.ts";
export { migrateAccounts } from "./schema.ts";
export { hashPassword } from "./passwords.ts";
export { UNKNOWN_ACCOUNTS_TENANT, type LoginEvents } from "./login-guard.ts";
export type { AgentKeys, KeyChange } from "./agent-keys.ts";

export interface RunningAccounts {
  handlers: ReturnType<typeof accountHandlers>;
  users: UserAuthenticator;
  keys: SigningKeys;
  /** The organisations' agent API keys (the API resolves `siq_live_…` keys through it). */
  agentKeys: AgentKeys;
  /** Waits for the mails queued so far. */
  flushMail(): Promise<void>;
  close(): Promise<void>;
}

export async function startAccounts(c: {
  db: Db;
  config: AccountsConfig;
  logger: Logger;
  baseUrl: () => string;
  /** The events service: every login attempt is an event decided by the validators. */
  events: LoginEvents;
  /** Where people and key changes are recorded (admin entries in the verdict log). */
  trail: Trail;
  /** Told of every agent key created, rotated or revoked (besides the trail). */
  onKeyChange?: (c: KeyChange) => void;
}): Promise<RunningAccounts> {
  const { config } = c;
  const keys = new SigningKeys(c.db, {
    issuer: config.issuer,
    accessTtlSeconds: config.accessTtlSeconds,
    rotateAfterSeconds: config.rotateKeysAfterSeconds,
  });
  await keys.init();
  const sessions = new Sessions(c.db, keys, config);
  const mailer = createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger: c.logger });
  const guard = await LoginGuard.open(c.db, c.events, {
    backoffSeconds: config.loginBackoffSeconds,
    backoffMaxSeconds: config.loginBackoffMaxSeconds,
    geoHeaders: config.geoHeaders,
    logger: c.logger,
  });
  const store = new AccountStore(c.db);
  const baseUrl = () => config.publicUrl?.replace(/\/$/, "") ?? c.baseUrl();
  const stepUp = new LoginStepUp({
    store,
    sessions,
    mailer,
    logger: c.logger,
    ttlSeconds: config.stepUpTtlSeconds,
    baseUrl,
  });
  const service = new AccountService({
    store,
    sessions,
    mailer,
    guard,
    stepUp,
    config,
    logger: c.logger,
    trail: c.trail,
    baseUrl,
  });
  if (config.devOwner) await service.ensureDevOwner(config.devOwner);
  const agentKeys = new AgentKeys(c.db, (k) => {
    c.logger.info(
      { action: k.action, key_id: k.key.key_id, org_id: k.orgId, user_id: k.userId, agent_ids: k.key.agent_ids },
      `agent key ${k.action}d`,
    );
    c.trail.note(keyTrailEvent(k));
    c.onKeyChange?.(k);
  });
  return {
    handlers: accountHandlers(service, sessions, keys, agentKeys, stepUp, new OrgAdmin(store, c.trail)),
    agentKeys,
    users: { authenticate: (t) => sessions.authenticate(t) },
    keys,
    flushMail: () => mailer.flush(),
    async close() {
      await mailer.flush();
      mailer.close();
    },
  };
}
