/**
 * The operator account routes (CONTRACT.md, second wave), defined as data:
 * registration and the email flows are open, `/v1/users/me` takes a person's
 * access token, `/v1/admin/*` an owner's or admin's.
 */
import { z } from "zod";
import type { ErrorCode } from "../errors.ts";
import type { Role } from "./schemas.ts";
import { AgentKeyCreate, AgentKeyIssued, AgentKeyList, AgentKeyView, KeyParams } from "./keys.ts";
import {
  Accepted,
  InvitationView,
  InviteRequest,
  Jwks,
  LoginRequest,
  MeUpdate,
  OrgUpdate,
  OrgView,
  PasswordReset,
  RefreshRequest,
  RegisterRequest,
  ResetRequest,
  RoleChange,
  TokenPair,
  TokenRequest,
  UserList,
  UserParams,
  UserView,
} from "./schemas.ts";

const NoParams = z.object({}).strict();
const ADMINS: readonly Role[] = ["owner", "admin"];

interface Def<P extends z.ZodType, B extends z.ZodType | undefined> {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  auth: "none" | "user";
  roles?: readonly Role[];
  summary: string;
  params: P;
  body: B;
  query: undefined;
  response: z.ZodType;
  errors?: readonly ErrorCode[];
}

const def = <P extends z.ZodType, B extends z.ZodType | undefined>(d: Def<P, B>) => Object.freeze(d);

export const accountRoutes = {
  authRegister: def({
    method: "POST",
    path: "/v1/auth/register",
    auth: "none",
    summary:
      "Register: a new organisation with you as its owner, or join one with an invitation token (a verification mail follows)",
    params: NoParams,
    body: RegisterRequest,
    query: undefined,
    response: Accepted,
    errors: ["WEAK_PASSWORD", "LINK_TOKEN_INVALID", "CONFLICT"],
  }),
  authVerifyEmail: def({
    method: "POST",
    path: "/v1/auth/verify-email",
    auth: "none",
    summary: "Verify an email address with the token from the verification mail (single use)",
    params: NoParams,
    body: TokenRequest,
    query: undefined,
    response: Accepted,
    errors: ["LINK_TOKEN_INVALID"],
  }),
  authLogin: def({
    method: "POST",
    path: "/v1/auth/login",
    auth: "none",
    summary:
      "Log in: a short-lived access token (JWT) and a refresh token. Every attempt is a `login` event decided by the validator network and logged: a lockout (423, Retry-After), a step-up (403) or no decision in time (503, fail closed) refuses it",
    params: NoParams,
    body: LoginRequest,
    query: undefined,
    response: TokenPair,
    errors: ["INVALID_CREDENTIALS", "EMAIL_NOT_VERIFIED", "STEP_UP_REQUIRED", "ACCOUNT_LOCKED", "LOGIN_UNDECIDED"],
  }),
  authLoginStepUp: def({
    method: "POST",
    path: "/v1/auth/login/step-up",
    auth: "none",
    summary:
      "Finish a login the validator network stepped up (403 STEP_UP_REQUIRED) with the token of the sign-in link mailed to the address (single use, 10 minutes)",
    params: NoParams,
    body: TokenRequest,
    query: undefined,
    response: TokenPair,
    errors: ["LINK_TOKEN_INVALID"],
  }),
  authRefresh: def({
    method: "POST",
    path: "/v1/auth/refresh",
    auth: "none",
    summary: "Trade a refresh token (once) for a new pair; a replayed one revokes its whole session",
    params: NoParams,
    body: RefreshRequest,
    query: undefined,
    response: TokenPair,
    errors: ["INVALID_TOKEN", "REFRESH_TOKEN_REUSED"],
  }),
  authLogout: def({
    method: "POST",
    path: "/v1/auth/logout",
    auth: "none",
    summary: "Log out: the session of this refresh token ends, its access tokens included",
    params: NoParams,
    body: RefreshRequest,
    query: undefined,
    response: Accepted,
  }),
  authResetRequest: def({
    method: "POST",
    path: "/v1/auth/password/reset-request",
    auth: "none",
    summary: "Ask for a password reset mail (the same answer whether or not the address has an account)",
    params: NoParams,
    body: ResetRequest,
    query: undefined,
    response: Accepted,
  }),
  authReset: def({
    method: "POST",
    path: "/v1/auth/password/reset",
    auth: "none",
    summary: "Set a new password with the token from the reset mail (single use; every session ends)",
    params: NoParams,
    body: PasswordReset,
    query: undefined,
    response: Accepted,
    errors: ["WEAK_PASSWORD", "LINK_TOKEN_INVALID"],
  }),
  usersMe: def({
    method: "GET",
    path: "/v1/users/me",
    auth: "user",
    summary: "The signed-in person: email, role, organisation",
    params: NoParams,
    body: undefined,
    query: undefined,
    response: UserView,
  }),
  usersMeUpdate: def({
    method: "PUT",
    path: "/v1/users/me",
    auth: "user",
    summary: "Update the signed-in person's profile",
    params: NoParams,
    body: MeUpdate,
    query: undefined,
    response: UserView,
  }),
  adminUsers: def({
    method: "GET",
    path: "/v1/admin/users",
    auth: "user",
    roles: ADMINS,
    summary: "The people of your organisation (owners and admins)",
    params: NoParams,
    body: undefined,
    query: undefined,
    response: UserList,
  }),
  adminInvite: def({
    method: "POST",
    path: "/v1/admin/users/invite",
    auth: "user",
    roles: ADMINS,
    summary: "Invite a person into your organisation with a role (an invitation mail follows; owners and admins)",
    params: NoParams,
    body: InviteRequest,
    query: undefined,
    response: InvitationView,
  }),
  adminDeactivate: def({
    method: "DELETE",
    path: "/v1/admin/users/:user_id",
    auth: "user",
    roles: ADMINS,
    summary: "Deactivate a person of your organisation: their tokens stop working at once (owners and admins)",
    params: UserParams,
    body: undefined,
    query: undefined,
    response: UserView,
    errors: ["NOT_FOUND", "CONFLICT"],
  }),
  adminSetRole: def({
    method: "PUT",
    path: "/v1/admin/users/:user_id",
    auth: "user",
    roles: ADMINS,
    summary:
      "Change a person's role in your organisation, at once (owners and admins; only an owner grants or takes owner or admin; the last owner stays)",
    params: UserParams,
    body: RoleChange,
    query: undefined,
    response: UserView,
    errors: ["NOT_FOUND", "CONFLICT"],
  }),
  orgGet: def({
    method: "GET",
    path: "/v1/org",
    auth: "user",
    summary: "Your organisation: its id, name and number of active people",
    params: NoParams,
    body: undefined,
    query: undefined,
    response: OrgView,
  }),
  orgUpdate: def({
    method: "PUT",
    path: "/v1/org",
    auth: "user",
    roles: ADMINS,
    summary: "Change your organisation's settings: its name (owners and admins)",
    params: NoParams,
    body: OrgUpdate,
    query: undefined,
    response: OrgView,
  }),
  keysCreate: def({
    method: "POST",
    path: "/v1/keys",
    auth: "user",
    roles: ADMINS,
    summary: "Create an agent API key bound to agent ids; the key is in this answer only (owners and admins)",
    params: NoParams,
    body: AgentKeyCreate,
    query: undefined,
    response: AgentKeyIssued,
  }),
  keysList: def({
    method: "GET",
    path: "/v1/keys",
    auth: "user",
    roles: ADMINS,
    summary: "Your organisation's agent API keys, by key id and prefix (never their secrets; owners and admins)",
    params: NoParams,
    body: undefined,
    query: undefined,
    response: AgentKeyList,
  }),
  keysRotate: def({
    method: "POST",
    path: "/v1/keys/:key_id/rotate",
    auth: "user",
    roles: ADMINS,
    summary:
      "Rotate an agent API key: a new secret, in this answer only; the old one is refused at once (owners and admins)",
    params: KeyParams,
    body: undefined,
    query: undefined,
    response: AgentKeyIssued,
    errors: ["NOT_FOUND", "CONFLICT"],
  }),
  keysRevoke: def({
    method: "DELETE",
    path: "/v1/keys/:key_id",
    auth: "user",
    roles: ADMINS,
    summary: "Revoke an agent API key: the very next request with it is refused (owners and admins; idempotent)",
    params: KeyParams,
    body: undefined,
    query: undefined,
    response: AgentKeyView,
    errors: ["NOT_FOUND"],
  }),
  jwks: def({
    method: "GET",
    path: "/.well-known/jwks.json",
    auth: "none",
    summary: "The public keys that verify access tokens (JWKS), by kid",
    params: NoParams,
    body: undefined,
    query: undefined,
    response: Jwks,
  }),
} as const;
