/**
 * Issue 12's "Done when", walked in order by a new operator on a clean clone: `sentineliq dev` as `npm start`
 * runs it (processes: its own nats-server, four validators, the coordinator; PGlite in ./.sentineliq; mail
 * caught and listed by `sentineliq mail`), the
 * public HTTP API called like curl and the CLI. Register an organisation, verify the email from the caught
 * mail, log in, refresh (the old refresh token is refused and its replay ends the session), invite an
 * analyst, create an agent key bound to one agent, pay with it, log out; a mailed password reset works once;
 * a deactivated person's access token is refused at once; 20 wrong passwords for one account end in the
 * validators' lockout, visible in `sentineliq log show --type admin`; a viewer cannot create keys; every
 * answer carries the security headers; and a burst gets 429s with Retry-After.
 *
 * The dev network lifts every rate limit (cli/shared/bench-limits.ts: `sentineliq bench` drives it from one key
 * and one address), so the burst goes to the same workspace's coordinator started by itself with the dev
 * config minus `http.rateLimits`, i.e. the production defaults (coordinator/api/edge-config.ts: 300 per
 * signed-in person per minute), on the same store (and a nats-server of the test's own).
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../lib/nats-server.ts";
import { address } from "./helpers/dev.ts";
import { cli, mailedToken, operatorHttp, spawnProcess, startDevIn, type Dev } from "./helpers/journey.ts";
import { testNats, type TestNats } from "./helpers/nats.ts";

const PASS = "a long passphrase for ada";
const NEW_PASS = "an even longer passphrase";
const BOB_PASS = "bob's own long passphrase";
const ORG = "Journey Ltd";

describe("a new operator's journey on `sentineliq dev` (issue 12)", () => {
  let nats: TestNats | undefined;
  let dev: Dev | undefined;
  let coordinator: { stop(): Promise<void> } | undefined;
  let base = "";
  const http = operatorHttp(() => base);
  afterAll(async () => {
    await coordinator?.stop();
    await dev?.stop();
    await nats?.stop();
    if (dev) rmSync(dev.cwd, { recursive: true, force: true });
  });

  const login = async (email: string, password: string) => http.call("POST", "/v1/auth/login", { email, password });
  const mail = (to: string, subject: RegExp, page: string) => mailedToken(dev!.cwd, base, to, subject, page);
  /** Joins by the invitation mailed to `email` (the mailed token proves the address) and logs in. */
  const join_ = async (email: string, password: string) => {
    const invitation = await mail(email, /invit/i, "/auth/accept-invite");
    const joined = await http.call("POST", "/v1/auth/register", { email, password, invitation_token: invitation });
    expect(joined.status).toBe(200);
    const r = await login(email, password);
    expect(r.status).toBe(200);
    return r.body as { access_token: string; refresh_token: string };
  };
  const asAda = (password: string) => ({ SENTINELIQ_EMAIL: "ada@journey.test", SENTINELIQ_PASSWORD: password });

  it("walks the Done-when list in order", { timeout: 900_000 }, async () => {
    dev = await startDevIn();
    base = dev.creds.base_url;

    // 1. Register an organisation (the CLI, as the README shows), 2. verify the email from the caught mail.
    const created = await cli(dev.cwd, ["org", "create", ORG, "--owner", "ada@journey.test"], asAda(PASS));
    expect(created.code, created.out).toBe(0);
    const verify = await mail("ada@journey.test", /verif/i, "/auth/verify-email");
    expect((await login("ada@journey.test", PASS)).body.code).toBe("EMAIL_NOT_VERIFIED");
    expect((await http.call("POST", "/v1/auth/verify-email", { token: verify })).status).toBe(200);
    expect((await http.call("POST", "/v1/auth/verify-email", { token: verify })).status).toBe(400);

    // 3. Log in.
    const first = await login("ada@journey.test", PASS);
    expect(first.status).toBe(200);
    const me = await http.call("GET", "/v1/users/me", undefined, first.body.access_token);
    expect({ role: me.body.role, org: me.body.organization.name }).toEqual({ role: "owner", org: ORG });

    // 4. Refresh: a new pair; the old refresh token no longer works, and replaying it kills the session.
    const second = await http.call("POST", "/v1/auth/refresh", { refresh_token: first.body.refresh_token });
    expect(second.status).toBe(200);
    const replay = await http.call("POST", "/v1/auth/refresh", { refresh_token: first.body.refresh_token });
    expect({ status: replay.status, code: replay.body.code }).toEqual({ status: 401, code: "REFRESH_TOKEN_REUSED" });
    const killed = await http.call("GET", "/v1/users/me", undefined, second.body.access_token);
    expect(killed.status).toBe(401);
    expect(killed.headers.get("www-authenticate")).toMatch(/Bearer realm="sentineliq".*invalid_token/);
    expect((await http.call("POST", "/v1/auth/refresh", { refresh_token: second.body.refresh_token })).status).toBe(
      401,
    );
    const session = (await login("ada@journey.test", PASS)).body as { access_token: string; refresh_token: string };

    // 5. Invite an analyst (the CLI); Bob joins through the mailed link.
    const invited = await cli(dev.cwd, ["user", "invite", "bob@journey.test", "--role", "analyst"], asAda(PASS));
    expect(invited.code, invited.out).toBe(0);
    const bob = await join_("bob@journey.test", BOB_PASS);
    const bobMe = await http.call("GET", "/v1/users/me", undefined, bob.access_token);
    expect({ role: bobMe.body.role, org: bobMe.body.organization.name }).toEqual({ role: "analyst", org: ORG });

    // 6. An agent key bound to one agent (the CLI prints it once); 7. pay with it, as that agent only.
    const made = await cli(
      dev.cwd,
      ["key", "create", "--agent", "agent-j", "--name", "checkout", "--json"],
      asAda(PASS),
    );
    expect(made.code, made.out).toBe(0);
    const key = JSON.parse(made.out.split("\n").find((l) => l.startsWith("{"))!) as { api_key: string };
    expect(key.api_key).toMatch(/^siq_live_/);
    const payment = (agent: string) => ({
      ...dev!.creds.example_payment,
      agent_id: agent,
      idempotency_key: `journey-${agent}-${Date.now()}`,
      sender: address(),
      receiver: address(),
    });
    const paid = await http.call("POST", "/v1/payments", payment("agent-j"), key.api_key);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    expect(paid.body.decision).toBe("approve");
    const other = await http.call("POST", "/v1/payments", payment("agent-k"), key.api_key);
    expect({ status: other.status, code: other.body.code }).toEqual({ status: 403, code: "AGENT_NOT_ALLOWED" });
    expect((await http.call("POST", "/v1/payments", payment("agent-j"), dev.creds.api_key + "x")).status).toBe(401);

    // 8. Log out: the session's access token is refused from the next request.
    expect((await http.call("GET", "/v1/users/me", undefined, session.access_token)).status).toBe(200);
    expect((await http.call("POST", "/v1/auth/logout", { refresh_token: session.refresh_token })).status).toBe(200);
    expect((await http.call("GET", "/v1/users/me", undefined, session.access_token)).status).toBe(401);

    // 9. A password reset through the mailed link works once.
    expect((await http.call("POST", "/v1/auth/password/reset-request", { email: "ada@journey.test" })).status).toBe(
      200,
    );
    const reset = await mail("ada@journey.test", /reset/i, "/auth/reset-password");
    expect((await http.call("POST", "/v1/auth/password/reset", { token: reset, password: NEW_PASS })).status).toBe(200);
    const again = await http.call("POST", "/v1/auth/password/reset", { token: reset, password: "a third passphrase!" });
    expect({ status: again.status, code: again.body.code }).toEqual({ status: 400, code: "LINK_TOKEN_INVALID" });
    expect((await login("ada@journey.test", PASS)).status).toBe(401);
    const ada = await login("ada@journey.test", NEW_PASS);
    expect(ada.status).toBe(200);
    const owner = ada.body.access_token as string;

    // 10. A deactivated person's access token is refused at once.
    expect((await http.call("DELETE", `/v1/admin/users/${bobMe.body.id}`, undefined, owner)).status).toBe(200);
    const gone = await http.call("GET", "/v1/users/me", undefined, bob.access_token);
    expect(gone.status).toBe(401);

    // 11. Twenty wrong passwords for one account: the validators lock it, and the log shows it.
    for (const [email, role] of [
      ["eve@journey.test", "analyst"],
      ["vic@journey.test", "viewer"],
    ] as const)
      expect((await http.call("POST", "/v1/admin/users/invite", { email, role }, owner)).status).toBe(200);
    await join_("eve@journey.test", "eve's own long passphrase");
    const viewer = await join_("vic@journey.test", "vic's own long passphrase");
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof login>> | undefined;
    for (let i = 0; i < 20; i++) {
      last = await login("eve@journey.test", `wrong passphrase ${i}!`);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([...Array(4).fill(401), ...Array(5).fill(403), ...Array(11).fill(423)]);
    expect(last!.body.code).toBe("ACCOUNT_LOCKED");
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await login("eve@journey.test", "eve's own long passphrase")).status).toBe(423);
    const shown = await cli(dev.cwd, ["log", "show", "--type", "admin", "--api-key", key.api_key]);
    expect(shown.code, shown.out).toBe(0);
    const logins = shown.out.split("\n").filter((l) => l.split("\t")[2] === "login");
    expect(logins.filter((l) => /\treject\//.test(l)).length, shown.out).toBeGreaterThanOrEqual(12);
    expect(logins.some((l) => /\tchallenge\//.test(l))).toBe(true);
    expect(shown.out).toMatch(/user\.deactivated/);
    expect(shown.out).toMatch(/user\.password_reset/);

    // 12. A viewer cannot create keys (HTTP and CLI alike).
    const refused = await http.call("POST", "/v1/keys", { name: "nope", agent_ids: ["agent-j"] }, viewer.access_token);
    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: "FORBIDDEN" });
    const cliRefused = await cli(dev.cwd, ["key", "create", "--agent", "agent-j"], {
      SENTINELIQ_EMAIL: "vic@journey.test",
      SENTINELIQ_PASSWORD: "vic's own long passphrase",
    });
    expect(cliRefused.code).not.toBe(0);
    expect(cliRefused.out).toMatch(/403 FORBIDDEN/);

    // 13. Every answer so far carried the security headers.
    expect(http.missing).toEqual([]);
    expect(http.answered()).toBeGreaterThan(50);

    // 14. A burst gets 429s with Retry-After: this workspace's coordinator with production-default limits.
    await dev.stop();
    const config = JSON.parse(readFileSync(join(dev.ws, "coordinator.json"), "utf8"));
    delete config.http.rateLimits;
    // The dev bus went with `sentineliq dev`: a nats-server of the test's own stands in (the coordinator makes
    // its streams); the store is the workspace's PGlite, with every person, session and signing key above.
    nats = await testNats({ ownServer: true });
    delete config.natsCreds;
    delete config.natsTls;
    const port = await freePort();
    const prod = join(dev.ws, "coordinator-prod-limits.json");
    writeFileSync(prod, JSON.stringify({ ...config, natsUrl: nats.url, port, logLevel: "info" }, null, 2));
    const env: NodeJS.ProcessEnv = { ...process.env, NATS_URL: nats.url };
    delete env.DATABASE_URL;
    delete env.PORT;
    coordinator = await spawnProcess(["coordinator", "--config", prod], env, dev.cwd, "coordinator started");
    base = `http://127.0.0.1:${port}`;
    expect((await http.call("GET", "/v1/users/me", undefined, owner)).status).toBe(200);
    const burst = await Promise.all(
      Array.from({ length: 320 }, () => http.call("GET", "/v1/users/me", undefined, owner)),
    );
    const limited = burst.filter((a) => a.status === 429);
    expect(burst.filter((a) => a.status === 200).length).toBe(299); // 300 a minute, one spent above
    expect(limited.length).toBe(21);
    for (const a of limited) {
      expect(a.body.code).toBe("RATE_LIMITED");
      expect(Number(a.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    // Another person is not slowed by the one over the limit.
    expect((await http.call("GET", "/v1/users/me", undefined, viewer.access_token)).status).toBe(200);
    expect(http.missing).toEqual([]);
  });
});
