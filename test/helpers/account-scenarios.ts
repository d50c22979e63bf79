/**
 * The account routes' scenarios for coordinator/api/routes.inject.test.ts: a
 * success and the refusals a careless or hostile client can cause, each
 * answer checked there against the OpenAPI document. Mails go to a loopback
 * SMTP catcher; the tokens come from their links.
 */
import { expect } from "vitest";
import type { accountRoutes } from "../../protocol/index.ts";
import type { MailCatcher } from "../../lib/mail-catcher.ts";
import { linkToken } from "./operators.ts";

type Name = keyof typeof accountRoutes;

interface Call {
  params?: Record<string, string>;
  body?: unknown;
  key?: string | null;
}

export interface ScenarioContext {
  call(name: Name, c?: Call): Promise<{ status: number; body: any }>;
  refused(name: Name, c: Call, status: number, code: string): Promise<unknown>;
  mail(): MailCatcher;
  url(): string;
  apiKey(): string;
}

const PASSWORD = "correct horse battery";

type KeyRoute = "keysCreate" | "keysList" | "keysRotate" | "keysRevoke";

/** The routes of people and their organisation (the agent-key routes: ./key-scenarios.ts). */
export function accountScenarios(x: ScenarioContext): Record<Exclude<Name, KeyRoute>, () => Promise<void>> {
  const s = {
    email: "owner@inject.test",
    password: PASSWORD,
    access: "",
    refresh: "",
    viewer: "",
    viewerId: "",
    otherId: "",
  };
  const token = async (to: string, subject: RegExp, page: string, after = 0) =>
    linkToken(await x.mail().waitFor(to, { subject, after }), x.url(), page);
  const login = async (email = s.email, password = s.password) => {
    const r = await x.call("authLogin", { body: { email, password } });
    expect(r.status).toBe(200);
    return r.body as { access_token: string; refresh_token: string };
  };
  const signIn = async () => {
    const t = await login();
    s.access = t.access_token;
    s.refresh = t.refresh_token;
  };
  return {
    authRegister: async () => {
      const body = { email: s.email, password: PASSWORD, organization: "Inject" };
      expect((await x.call("authRegister", { body })).body).toMatchObject({ status: "accepted" });
      await x.refused("authRegister", { body: { ...body, password: "short" } }, 400, "WEAK_PASSWORD");
      await x.refused("authRegister", { body: { ...body, invitation_token: "x".repeat(43) } }, 400, "INVALID_REQUEST");
      await x.refused("authRegister", { body: { ...body, email: "not-an-address" } }, 400, "INVALID_REQUEST");
    },
    authVerifyEmail: async () => {
      const t = await token(s.email, /verify/i, "/auth/verify-email");
      expect((await x.call("authVerifyEmail", { body: { token: t } })).status).toBe(200);
      await x.refused("authVerifyEmail", { body: { token: t } }, 400, "LINK_TOKEN_INVALID");
      await x.refused("authVerifyEmail", { body: { token: "short" } }, 400, "INVALID_REQUEST");
    },
    authLogin: async () => {
      await signIn();
      await x.refused(
        "authLogin",
        { body: { email: s.email, password: "wrong password!" } },
        401,
        "INVALID_CREDENTIALS",
      );
      const nobody = { email: "nobody@inject.test", password: "wrong password!" };
      await x.refused("authLogin", { body: nobody }, 401, "INVALID_CREDENTIALS");
    },
    authLoginStepUp: async () => {
      // An organisation of its own; five wrong passwords in a minute and the network steps its logins up.
      const email = "stepup@inject.test";
      await x.call("authRegister", { body: { email, password: PASSWORD, organization: "Step-up" } });
      const verify = await token(email, /verify/i, "/auth/verify-email");
      expect((await x.call("authVerifyEmail", { body: { token: verify } })).status).toBe(200);
      const wrong = { email, password: "wrong password!" };
      for (let i = 0; i < 4; i++) await x.refused("authLogin", { body: wrong }, 401, "INVALID_CREDENTIALS");
      await x.refused("authLogin", { body: wrong }, 403, "STEP_UP_REQUIRED");
      const seen = x.mail().mails.length;
      await x.refused("authLogin", { body: { email, password: PASSWORD } }, 403, "STEP_UP_REQUIRED");
      const t = await token(email, /sign/i, "/auth/login-step-up", seen);
      const r = await x.call("authLoginStepUp", { body: { token: t } });
      expect(r.body).toMatchObject({ token_type: "Bearer" });
      s.otherId = (await x.call("usersMe", { key: r.body.access_token })).body.id;
      await x.refused("authLoginStepUp", { body: { token: t } }, 400, "LINK_TOKEN_INVALID");
      await x.refused("authLoginStepUp", { body: { token: "short" } }, 400, "INVALID_REQUEST");
    },
    authRefresh: async () => {
      const old = s.refresh;
      const r = await x.call("authRefresh", { body: { refresh_token: old } });
      expect(r.body).toMatchObject({ token_type: "Bearer" });
      await x.refused("authRefresh", { body: { refresh_token: old } }, 401, "REFRESH_TOKEN_REUSED");
      await x.refused("authRefresh", { body: { refresh_token: r.body.refresh_token } }, 401, "INVALID_TOKEN");
      await signIn();
    },
    authLogout: async () => {
      const other = await login();
      expect((await x.call("authLogout", { body: { refresh_token: other.refresh_token } })).status).toBe(200);
      await x.refused("authLogout", { body: {} }, 400, "INVALID_REQUEST");
    },
    authResetRequest: async () => {
      expect((await x.call("authResetRequest", { body: { email: s.email } })).status).toBe(200);
      await x.refused("authResetRequest", { body: { email: 7 } }, 400, "INVALID_REQUEST");
    },
    authReset: async () => {
      const t = await token(s.email, /reset/i, "/auth/reset-password");
      s.password = "the new passphrase";
      expect((await x.call("authReset", { body: { token: t, password: s.password } })).status).toBe(200);
      await x.refused("authReset", { body: { token: t, password: s.password } }, 400, "LINK_TOKEN_INVALID");
      await x.refused("authReset", { body: { token: t, password: "short" } }, 400, "WEAK_PASSWORD");
      await signIn();
    },
    usersMe: async () => {
      expect((await x.call("usersMe", { key: s.access })).body).toMatchObject({ email: s.email, role: "owner" });
      await x.refused("usersMe", { key: null }, 401, "UNAUTHENTICATED");
      await x.refused("usersMe", { key: x.apiKey() }, 403, "FORBIDDEN");
      await x.refused("usersMe", { key: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln" }, 401, "INVALID_TOKEN");
    },
    usersMeUpdate: async () => {
      const r = await x.call("usersMeUpdate", { key: s.access, body: { display_name: "Owner" } });
      expect(r.body).toMatchObject({ display_name: "Owner" });
      await x.refused("usersMeUpdate", { key: s.access, body: { role: "owner" } }, 400, "INVALID_REQUEST");
    },
    adminUsers: async () => {
      const r = await x.call("adminUsers", { key: s.access });
      expect(r.body.users.map((u: { email: string }) => u.email)).toEqual([s.email]);
      await x.refused("adminUsers", { key: null }, 401, "UNAUTHENTICATED");
    },
    adminInvite: async () => {
      const viewer = "viewer@inject.test";
      const seen = x.mail().mails.length;
      const r = await x.call("adminInvite", { key: s.access, body: { email: viewer, role: "viewer" } });
      expect(r.body).toMatchObject({ email: viewer, role: "viewer" });
      await x.refused("adminInvite", { key: s.access, body: { email: viewer, role: "owner" } }, 400, "INVALID_REQUEST");
      const t = await token(viewer, /invited/i, "/auth/accept-invite", seen);
      const joined = await x.call("authRegister", { body: { email: viewer, password: PASSWORD, invitation_token: t } });
      expect(joined.status).toBe(200);
      s.viewer = (await login(viewer, PASSWORD)).access_token;
      s.viewerId = (await x.call("usersMe", { key: s.viewer })).body.id;
      // A viewer may call no admin route.
      await x.refused("adminUsers", { key: s.viewer }, 403, "FORBIDDEN");
      await x.refused(
        "adminInvite",
        { key: s.viewer, body: { email: "x@inject.test", role: "viewer" } },
        403,
        "FORBIDDEN",
      );
    },
    adminDeactivate: async () => {
      const params = { user_id: s.viewerId };
      await x.refused("adminDeactivate", { key: s.viewer, params }, 403, "FORBIDDEN");
      await x.refused("adminDeactivate", { key: s.access, params: { user_id: "usr_nobody_here" } }, 404, "NOT_FOUND");
      await x.refused("adminDeactivate", { key: s.access, params: { user_id: "bad id" } }, 400, "INVALID_REQUEST");
      const me = (await x.call("usersMe", { key: s.access })).body.id;
      await x.refused("adminDeactivate", { key: s.access, params: { user_id: me } }, 409, "CONFLICT");
      const r = await x.call("adminDeactivate", { key: s.access, params });
      expect(r.body).toMatchObject({ id: s.viewerId, active: false });
      await x.refused("usersMe", { key: s.viewer }, 401, "INVALID_TOKEN");
    },
    adminSetRole: async () => {
      // A new viewer, made admin by the owner: the same access token gets the admin routes at once.
      const email = "promoted@inject.test";
      const seen = x.mail().mails.length;
      await x.call("adminInvite", { key: s.access, body: { email, role: "viewer" } });
      const t = await token(email, /invited/i, "/auth/accept-invite", seen);
      await x.call("authRegister", { body: { email, password: PASSWORD, invitation_token: t } });
      const access = (await login(email, PASSWORD)).access_token;
      const id = (await x.call("usersMe", { key: access })).body.id;
      await x.refused("adminUsers", { key: access }, 403, "FORBIDDEN");
      await x.refused(
        "adminSetRole",
        { key: access, params: { user_id: id }, body: { role: "admin" } },
        403,
        "FORBIDDEN",
      );
      const r = await x.call("adminSetRole", { key: s.access, params: { user_id: id }, body: { role: "admin" } });
      expect(r.body).toMatchObject({ id, role: "admin" });
      expect((await x.call("adminUsers", { key: access })).status).toBe(200);
      const me = (await x.call("usersMe", { key: s.access })).body.id;
      // An admin neither takes an owner's role nor grants one; the last owner stays owner.
      const owner = { key: access, params: { user_id: me }, body: { role: "viewer" } };
      await x.refused("adminSetRole", owner, 403, "FORBIDDEN");
      await x.refused("adminSetRole", { ...owner, params: { user_id: id }, body: { role: "owner" } }, 403, "FORBIDDEN");
      const last = { key: s.access, params: { user_id: me }, body: { role: "admin" } };
      await x.refused("adminSetRole", last, 409, "CONFLICT");
      // Another organisation's person, or nobody: 404; a role that does not exist: 400.
      const other = { key: s.access, params: { user_id: s.otherId }, body: { role: "viewer" } };
      await x.refused("adminSetRole", other, 404, "NOT_FOUND");
      await x.refused("adminSetRole", { ...other, body: { role: "god" } }, 400, "INVALID_REQUEST");
      // With a second owner, the first may step down (and is made owner again by the second).
      await x.call("adminSetRole", { key: s.access, params: { user_id: id }, body: { role: "owner" } });
      expect((await x.call("adminSetRole", last)).body).toMatchObject({ id: me, role: "admin" });
      await x.call("adminSetRole", { key: access, params: { user_id: me }, body: { role: "owner" } });
    },
    orgGet: async () => {
      const r = await x.call("orgGet", { key: s.access });
      expect(r.body).toMatchObject({ name: "Inject", members: 2 });
      await x.refused("orgGet", { key: x.apiKey() }, 403, "FORBIDDEN");
    },
    orgUpdate: async () => {
      const r = await x.call("orgUpdate", { key: s.access, body: { name: "Inject Ltd" } });
      expect(r.body).toMatchObject({ name: "Inject Ltd" });
      expect((await x.call("usersMe", { key: s.access })).body.organization.name).toBe("Inject Ltd");
      await x.refused("orgUpdate", { key: s.access, body: { name: "" } }, 400, "INVALID_REQUEST");
      await x.refused("orgUpdate", { key: s.access, body: { name: "x", retention: 1 } }, 400, "INVALID_REQUEST");
    },
    jwks: async () => {
      const r = await x.call("jwks");
      expect(r.body.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA" });
    },
  };
}
