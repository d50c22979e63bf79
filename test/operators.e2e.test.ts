/**
 * Operator accounts end to end, as a new operator meets them: a real
 * coordinator (test/helpers/network.ts) sending mail to a real SMTP server on
 * loopback, whose captured links the test follows. Register, verify, log in,
 * refresh (a replay kills the session), invite an analyst, roles and
 * organisations kept apart, deactivation and logout at once, a reset link
 * that works once, and no way to tell which addresses have accounts.
 */
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMailCatcher, type MailCatcher } from "../lib/mail-catcher.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";
import { storeKinds } from "./helpers/db.ts";
import { httpClient, linkToken, type Answer } from "./helpers/operators.ts";

const PASSWORD = "correct horse battery";

describe.each(storeKinds())("operator accounts (%s)", (store) => {
  let net: TestNetwork;
  let mail: MailCatcher;
  let call: ReturnType<typeof httpClient>;
  const owner = { email: `owner-${store}@acme.test`, tokens: { access_token: "", refresh_token: "" } };

  const refused = (r: Answer, status: number, code: string) => {
    expect({ status: r.status, code: r.body.code }).toEqual({ status, code });
    expect(r.body.error_details).toMatchObject({ code });
    if (status === 401) expect(r.headers.get("www-authenticate")).toMatch(/^Bearer realm="sentineliq"/);
  };

  /** Registers an organisation's owner, follows the verification link and logs in. */
  const newOwner = async (email: string, organization: string) => {
    const seen = mail.mails.length;
    expect((await call("POST", "/v1/auth/register", { email, password: PASSWORD, organization })).status).toBe(200);
    const m = await mail.waitFor(email, { subject: /verify/i, after: seen });
    const verified = await call("POST", "/v1/auth/verify-email", {
      token: linkToken(m, net.url, "/auth/verify-email"),
    });
    expect(verified.status).toBe(200);
    const login = await call("POST", "/v1/auth/login", { email, password: PASSWORD });
    expect(login.status).toBe(200);
    return login.body as { access_token: string; refresh_token: string };
  };

  beforeAll(async () => {
    mail = await startMailCatcher();
    net = await startNetwork({ store, coordinatorConfig: { accounts: { smtpUrl: mail.url } } });
    call = httpClient(net.url);
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
    await mail?.stop();
  });

  it("register, verify the mailed link once, log in; tokens are EdDSA JWTs with a kid in the JWKS", async () => {
    const weak = await call("POST", "/v1/auth/register", { email: owner.email, password: "short", organization: "A" });
    refused(weak, 400, "WEAK_PASSWORD");
    const reg = await call("POST", "/v1/auth/register", {
      email: owner.email,
      password: PASSWORD,
      organization: "Acme",
    });
    expect(reg.status).toBe(200);
    refused(
      await call("POST", "/v1/auth/login", { email: owner.email, password: PASSWORD }),
      403,
      "EMAIL_NOT_VERIFIED",
    );
    const m = await mail.waitFor(owner.email, { subject: /verify/i });
    const token = linkToken(m, net.url, "/auth/verify-email");
    expect((await call("POST", "/v1/auth/verify-email", { token })).status).toBe(200);
    refused(await call("POST", "/v1/auth/verify-email", { token }), 400, "LINK_TOKEN_INVALID");

    const login = await call("POST", "/v1/auth/login", { email: owner.email.toUpperCase(), password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    owner.tokens = login.body;
    const header = decodeProtectedHeader(login.body.access_token);
    expect(header.alg).toBe("EdDSA");
    const jwks = (await call("GET", "/.well-known/jwks.json")).body;
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toContain(header.kid);
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/);
    const { payload } = await jwtVerify(login.body.access_token, createLocalJWKSet(jwks));
    expect(payload.exp! - payload.iat!).toBe(900);

    const me = await call("GET", "/v1/users/me", undefined, owner.tokens.access_token);
    expect(me.body).toMatchObject({ email: owner.email, role: "owner", organization: { name: "Acme" } });
    const named = await call("PUT", "/v1/users/me", { display_name: "Ada" }, owner.tokens.access_token);
    expect(named.body).toMatchObject({ display_name: "Ada" });
  });

  it("a refresh token works once; replaying it revokes the session, the newer tokens included", async () => {
    const first = await newOwner(`replay-${store}@acme.test`, "Replay Ltd");
    const second = await call("POST", "/v1/auth/refresh", { refresh_token: first.refresh_token });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refresh_token);
    expect((await call("GET", "/v1/users/me", undefined, second.body.access_token)).status).toBe(200);
    refused(
      await call("POST", "/v1/auth/refresh", { refresh_token: first.refresh_token }),
      401,
      "REFRESH_TOKEN_REUSED",
    );
    refused(await call("POST", "/v1/auth/refresh", { refresh_token: second.body.refresh_token }), 401, "INVALID_TOKEN");
    refused(await call("GET", "/v1/users/me", undefined, second.body.access_token), 401, "INVALID_TOKEN");
    refused(await call("GET", "/v1/users/me", undefined, first.access_token), 401, "INVALID_TOKEN");
  });

  it("logout ends the session at once: its access token and its refresh token are refused", async () => {
    const s = await newOwner(`logout-${store}@acme.test`, "Logout Ltd");
    expect((await call("POST", "/v1/auth/logout", { refresh_token: s.refresh_token })).status).toBe(200);
    expect((await call("POST", "/v1/auth/logout", { refresh_token: s.refresh_token })).status).toBe(200);
    refused(await call("GET", "/v1/users/me", undefined, s.access_token), 401, "INVALID_TOKEN");
    refused(await call("POST", "/v1/auth/refresh", { refresh_token: s.refresh_token }), 401, "INVALID_TOKEN");
  });

  it("an owner invites an analyst; roles and organisations are kept apart; deactivation is immediate", async () => {
    const analyst = `analyst-${store}@acme.test`;
    const seen = mail.mails.length;
    const inv = await call(
      "POST",
      "/v1/admin/users/invite",
      { email: analyst, role: "analyst" },
      owner.tokens.access_token,
    );
    expect(inv.body).toMatchObject({ email: analyst, role: "analyst", organization: { name: "Acme" } });
    const m = await mail.waitFor(analyst, { subject: /invited/i, after: seen });
    const token = linkToken(m, net.url, "/auth/accept-invite");
    const body = { email: analyst, password: PASSWORD, invitation_token: token };
    expect((await call("POST", "/v1/auth/register", body)).status).toBe(200);
    refused(await call("POST", "/v1/auth/register", body), 400, "LINK_TOKEN_INVALID");
    const a = (await call("POST", "/v1/auth/login", { email: analyst, password: PASSWORD })).body;
    const me = (await call("GET", "/v1/users/me", undefined, a.access_token)).body;
    expect(me).toMatchObject({ role: "analyst", organization: { name: "Acme" }, email_verified: true });

    // An analyst is no admin; an agent key is no person.
    refused(await call("GET", "/v1/admin/users", undefined, a.access_token), 403, "FORBIDDEN");
    refused(await call("DELETE", `/v1/admin/users/${me.id}`, undefined, a.access_token), 403, "FORBIDDEN");
    refused(await call("GET", "/v1/users/me", undefined, net.apiKey), 403, "FORBIDDEN");
    const people = (await call("GET", "/v1/admin/users", undefined, owner.tokens.access_token)).body.users;
    expect(people.map((u: { email: string }) => u.email).sort()).toEqual([analyst, owner.email].sort());

    // Another organisation's owner sees none of Acme's people: their ids are not found.
    const beta = await newOwner(`owner-${store}@beta.test`, "Beta");
    const betaPeople = (await call("GET", "/v1/admin/users", undefined, beta.access_token)).body.users;
    expect(betaPeople.map((u: { email: string }) => u.email)).toEqual([`owner-${store}@beta.test`]);
    refused(await call("DELETE", `/v1/admin/users/${me.id}`, undefined, beta.access_token), 404, "NOT_FOUND");
    expect((await call("GET", "/v1/users/me", undefined, a.access_token)).status).toBe(200);

    const gone = await call("DELETE", `/v1/admin/users/${me.id}`, undefined, owner.tokens.access_token);
    expect(gone.body).toMatchObject({ id: me.id, active: false });
    refused(await call("GET", "/v1/users/me", undefined, a.access_token), 401, "INVALID_TOKEN");
    refused(await call("POST", "/v1/auth/refresh", { refresh_token: a.refresh_token }), 401, "INVALID_TOKEN");
    refused(await call("POST", "/v1/auth/login", { email: analyst, password: PASSWORD }), 401, "INVALID_CREDENTIALS");
    expect((await call("DELETE", `/v1/admin/users/${me.id}`, undefined, owner.tokens.access_token)).status).toBe(200);
  });

  it("an admin manages people but not owners: only an owner invites an admin or deactivates an owner", async () => {
    const admin = `admin-${store}@acme.test`;
    const seen = mail.mails.length;
    await call("POST", "/v1/admin/users/invite", { email: admin, role: "admin" }, owner.tokens.access_token);
    const token = linkToken(await mail.waitFor(admin, { after: seen }), net.url, "/auth/accept-invite");
    await call("POST", "/v1/auth/register", { email: admin, password: PASSWORD, invitation_token: token });
    const a = (await call("POST", "/v1/auth/login", { email: admin, password: PASSWORD })).body.access_token;
    expect((await call("GET", "/v1/admin/users", undefined, a)).status).toBe(200);
    const invite = (role: string) => call("POST", "/v1/admin/users/invite", { email: `x-${store}@acme.test`, role }, a);
    refused(await invite("admin"), 403, "FORBIDDEN");
    expect((await invite("viewer")).status).toBe(200);
    const ownerId = (await call("GET", "/v1/users/me", undefined, owner.tokens.access_token)).body.id;
    refused(await call("DELETE", `/v1/admin/users/${ownerId}`, undefined, a), 403, "FORBIDDEN");
    // An invitation is for its address only.
    const other = linkToken(await mail.waitFor(`x-${store}@acme.test`), net.url, "/auth/accept-invite");
    const body = { email: `y-${store}@acme.test`, password: PASSWORD, invitation_token: other };
    refused(await call("POST", "/v1/auth/register", body), 400, "LINK_TOKEN_INVALID");
  });

  it("a password reset link works once, and ends every session", async () => {
    const seen = mail.mails.length;
    const asked = await call("POST", "/v1/auth/password/reset-request", { email: owner.email });
    const unknown = await call("POST", "/v1/auth/password/reset-request", { email: `nobody-${store}@acme.test` });
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: asked.status, body: asked.body });
    const m = await mail.waitFor(owner.email, { subject: /reset/i, after: seen });
    const token = linkToken(m, net.url, "/auth/reset-password");
    const fresh = "a much better passphrase";
    refused(await call("POST", "/v1/auth/password/reset", { token, password: "short" }), 400, "WEAK_PASSWORD");
    expect((await call("POST", "/v1/auth/password/reset", { token, password: fresh })).status).toBe(200);
    refused(await call("POST", "/v1/auth/password/reset", { token, password: fresh + "!" }), 400, "LINK_TOKEN_INVALID");
    refused(await call("GET", "/v1/users/me", undefined, owner.tokens.access_token), 401, "INVALID_TOKEN");
    refused(
      await call("POST", "/v1/auth/login", { email: owner.email, password: PASSWORD }),
      401,
      "INVALID_CREDENTIALS",
    );
    expect((await call("POST", "/v1/auth/login", { email: owner.email, password: fresh })).status).toBe(200);
    expect(mail.mails.some((x) => x.to.includes(`nobody-${store}@acme.test`))).toBe(false);
  });

  it("no enumeration: a wrong password and an unknown address get the same answer in about the same time", async () => {
    const wrong = { email: `replay-${store}@acme.test`, password: "not the password at all" };
    const nobody = { email: `nobody-${store}@acme.test`, password: "not the password at all" };
    const times = { wrong: [] as number[], nobody: [] as number[] };
    for (let i = 0; i < 3; i++) {
      const a = await call("POST", "/v1/auth/login", wrong);
      const b = await call("POST", "/v1/auth/login", nobody);
      refused(a, 401, "INVALID_CREDENTIALS");
      expect({ status: b.status, body: b.body }).toEqual({ status: a.status, body: a.body });
      times.wrong.push(a.ms);
      times.nobody.push(b.ms);
    }
    const median = (xs: number[]) => xs.sort((x, y) => x - y)[1]!;
    // Both pay for one argon2id verification; an unknown address is not answered early.
    expect(median(times.nobody)).toBeGreaterThan(median(times.wrong) * 0.3);

    // Registering a taken address answers like a new one; the owner of the address gets a notice instead.
    const seen = mail.mails.length;
    const again = await call("POST", "/v1/auth/register", {
      email: owner.email,
      password: PASSWORD,
      organization: "X",
    });
    const fresh = await call("POST", "/v1/auth/register", {
      email: `new-${store}@acme.test`,
      password: PASSWORD,
      organization: "X",
    });
    expect({ status: again.status, body: again.body }).toEqual({ status: fresh.status, body: fresh.body });
    const notice = await mail.waitFor(owner.email, { subject: /already/i, after: seen });
    expect(notice.links).toEqual([]);
  });
});
