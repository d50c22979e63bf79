/**
 * Routes for signed-in people (`auth: "user"`): `Authorization: Bearer <access token>`,
 * checked by the accounts on every request; `roles` narrows who may call. An agent,
 * auditor or operator key on such a route is a 403, like any key of the wrong role,
 * except an agent key on a route that admits `agents` (its organisation's figures).
 */
import { SiqError, type RouteDef } from "../../protocol/index.ts";
import type { ApiKeys, Principal, UserPrincipal } from "./auth.ts";

export interface UserAuthenticator {
  /** The person behind an access token, or an INVALID_TOKEN error. */
  authenticate(accessToken: string): Promise<UserPrincipal>;
}

const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export async function authorizeUser(
  def: RouteDef,
  header: string | undefined,
  apiKeys: ApiKeys,
  users: UserAuthenticator | undefined,
): Promise<Principal> {
  const m = /^Bearer\s+(\S{16,4096})$/i.exec(header ?? "");
  if (!m) throw new SiqError("UNAUTHENTICATED", "send Authorization: Bearer <access_token> (POST /v1/auth/login)");
  const token = m[1]!;
  if (!JWT.test(token)) {
    if (def.agents) return apiKeys.authorizeRequest("agent", header);
    await apiKeys.principal(header);
    throw new SiqError("FORBIDDEN", "this route is for signed-in people; an API key cannot use it");
  }
  if (!users) throw new SiqError("INVALID_TOKEN", "this coordinator has no operator accounts");
  const p = await users.authenticate(token);
  if (def.roles && !def.roles.includes(p.userRole))
    throw new SiqError("FORBIDDEN", `this route is for ${def.roles.join(" and ")}s; you are ${p.userRole}`);
  return p;
}
