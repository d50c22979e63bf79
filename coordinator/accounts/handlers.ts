/** The account routes' handlers. */
import type { Handlers, Principal, UserPrincipal } from "../api/index.ts";
import { SiqError } from "../../protocol/index.ts";
import type { AgentKeys } from "./agent-keys.ts";
import type { OrgAdmin } from "./org-admin.ts";
import type { AccountService } from "./service.ts";
import type { Sessions } from "./sessions.ts";
import type { SigningKeys } from "./signing-keys.ts";
import type { LoginStepUp } from "./step-up.ts";

type AccountHandlers = Pick<
  Handlers,
  | "authRegister"
  | "authVerifyEmail"
  | "authLogin"
  | "authLoginStepUp"
  | "authRefresh"
  | "authLogout"
  | "authResetRequest"
  | "authReset"
  | "usersMe"
  | "usersMeUpdate"
  | "adminUsers"
  | "adminInvite"
  | "adminDeactivate"
  | "adminSetRole"
  | "orgGet"
  | "orgUpdate"
  | "keysCreate"
  | "keysList"
  | "keysRotate"
  | "keysRevoke"
  | "jwks"
>;

const person = (p: Principal | undefined): UserPrincipal => {
  if (p?.role !== "user") throw new SiqError("UNAUTHENTICATED", "log in first");
  return p;
};

export function accountHandlers(
  s: AccountService,
  sessions: Sessions,
  keys: SigningKeys,
  agentKeys: AgentKeys,
  stepUp: LoginStepUp,
  orgs: OrgAdmin,
): AccountHandlers {
  return {
    authRegister: async ({ body }) => ({ body: await s.register(body) }),
    authVerifyEmail: async ({ body }) => ({ body: await s.verifyEmail(body.token) }),
    authLogin: async ({ body, client }) => ({ body: await s.login(body, client) }),
    authLoginStepUp: async ({ body }) => ({ body: await stepUp.redeem(body.token) }),
    authRefresh: async ({ body }) => ({ body: await sessions.refresh(body.refresh_token) }),
    authLogout: async ({ body }) => {
      await sessions.logout(body.refresh_token);
      return { body: { status: "logged_out", message: "the session has ended" } };
    },
    authResetRequest: async ({ body }) => ({ body: await s.resetRequest(body.email) }),
    authReset: async ({ body }) => ({ body: await s.reset(body) }),
    usersMe: async ({ principal }) => ({ body: await s.me(person(principal)) }),
    usersMeUpdate: async ({ principal, body }) => ({ body: await s.updateMe(person(principal), body) }),
    adminUsers: async ({ principal }) => ({ body: await s.listUsers(person(principal)) }),
    adminInvite: async ({ principal, body }) => ({ body: await s.invite(person(principal), body) }),
    adminDeactivate: async ({ principal, params }) => ({ body: await s.deactivate(person(principal), params.user_id) }),
    adminSetRole: async ({ principal, params, body }) => ({
      body: await orgs.changeRole(person(principal), params.user_id, body.role),
    }),
    orgGet: async ({ principal }) => ({ body: await orgs.org(person(principal)) }),
    orgUpdate: async ({ principal, body }) => ({ body: await orgs.updateOrg(person(principal), body) }),
    keysCreate: async ({ principal, body }) => ({ body: await agentKeys.create(person(principal), body) }),
    keysList: async ({ principal }) => ({ body: await agentKeys.list(person(principal)) }),
    keysRotate: async ({ principal, params }) => ({ body: await agentKeys.rotate(person(principal), params.key_id) }),
    keysRevoke: async ({ principal, params }) => ({ body: await agentKeys.revoke(person(principal), params.key_id) }),
    jwks: () => ({ headers: { "cache-control": "public, max-age=300" }, body: keys.jwks() }),
  };
}
