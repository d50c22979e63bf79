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
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { address } from "./helpers/dev.ts";
import {
  cli,
  mailedToken,
  operatorHttp,
  productionLimitsCoordinator,
  startDevIn,
  type Dev,
} from "./helpers/journey.ts";
import { testNats, type TestNats } from "./helpers/nats.ts";

const ADA = "ada@journey.test";
const PASS = "a long passphrase for ada";
const NEW_PASS = "an even longer passphrase";
const ORG = "Journey Ltd";
const PEOPLE = {
  bob: ["bob@journey.test", "bob's own long passphrase"],
  eve: ["eve@journey.test", "eve's own long passphrase"],
  vic: ["vic@journey.test", "vic's own long passphrase"],
} as const;

interface Tokens {
  access_token: string;
  refresh_token: string;
}

describe("a new operator's journey on `sentineliq dev` (issue 12)", () => {
  let nats: TestNats | undefined;
  let dev: Dev | undefined;
  let coordinator: { stop(): Promise<void> } | undefined;
  let base = "";
  const http = operatorHttp(() => base);
  /** What one step leaves to the next. */
  const s = { session: {} as Tokens, bob: {} as Tokens, bobId: "", key: "", owner: "", viewer: {} as Tokens };
  afterAll(async () => {
    await coordinator?.stop();
    await dev?.stop();
    await nats?.stop();
    if (dev) rmSync(dev.cwd, { recursive: true, force: true });
  });

  const login = async (email: string, password: string) => http.call("POST", "/v1/auth/login", { email, password });
  const me = async (token: string) => http.call("GET", "/v1/users/me", undefined, token);
  const mail = (to: string, subject: RegExp, page: string) => mailedToken(dev!.cwd, base, to, subject, page);
  const asAda = { SENTINELIQ_EMAIL: ADA, SENTINELIQ_PASSWORD: PASS };
  /** Joins by the invitation mailed to the person (the mailed token proves the address) and logs in. */
  const join_ = async ([email, password]: readonly [string, string]): Promise<Tokens> => {
    const invitation = await mail(email, /invit/i, "/auth/accept-invite");
    const joined = await http.call("POST", "/v1/auth/register", { email, password, invitation_token: invitation });
    expect(joined.status).toBe(200);
    const r = await login(email, password);
    expect(r.status).toBe(200);
    return r.body as Tokens;
  };
  const payment = (agent: string) => ({
    ...dev!.creds.example_payment,
    agent_id: agent,
    idempotency_key: `journey-${agent}-${Date.now()}`,
    sender: address(),
    receiver: address(),
  });

  /** Issue 12's "Done when", in its order. */
  const steps: [string, () => Promise<void>][] = [
    [
      "register an organisation (the CLI) and verify the email from the caught mail",
      async () => {
        const created = await cli(dev!.cwd, ["org", "create", ORG, "--owner", ADA], asAda);
        expect(created.code, created.out).toBe(0);
        const verify = await mail(ADA, /verif/i, "/auth/verify-email");
        expect((await login(ADA, PASS)).body.code).toBe("EMAIL_NOT_VERIFIED");
        expect((await http.call("POST", "/v1/auth/verify-email", { token: verify })).status).toBe(200);
        expect((await http.call("POST", "/v1/auth/verify-email", { token: verify })).status).toBe(400);
      },
    ],
    [
      "log in; refresh: the old refresh token no longer works, and replaying it kills the session",
      async () => {
        const first = await login(ADA, PASS);
        expect(first.status).toBe(200);
        const mine = await me(first.body.access_token);
        expect({ role: mine.body.role, org: mine.body.organization.name }).toEqual({ role: "owner", org: ORG });
        const second = await http.call("POST", "/v1/auth/refresh", { refresh_token: first.body.refresh_token });
        expect(second.status).toBe(200);
        const replay = await http.call("POST", "/v1/auth/refresh", { refresh_token: first.body.refresh_token });
        expect({ status: replay.status, code: replay.body.code }).toEqual({
          status: 401,
          code: "REFRESH_TOKEN_REUSED",
        });
        const killed = await me(second.body.access_token);
        expect(killed.status).toBe(401);
        expect(killed.headers.get("www-authenticate")).toMatch(/Bearer realm="sentineliq".*invalid_token/);
        const newer = await http.call("POST", "/v1/auth/refresh", { refresh_token: second.body.refresh_token });
        expect(newer.status).toBe(401);
        s.session = (await login(ADA, PASS)).body as Tokens;
      },
    ],
    [
      "invite an analyst (the CLI), who joins through the mailed link",
      async () => {
        const invited = await cli(dev!.cwd, ["user", "invite", PEOPLE.bob[0], "--role", "analyst"], asAda);
        expect(invited.code, invited.out).toBe(0);
        s.bob = await join_(PEOPLE.bob);
        const bob = await me(s.bob.access_token);
        expect({ role: bob.body.role, org: bob.body.organization.name }).toEqual({ role: "analyst", org: ORG });
        s.bobId = bob.body.id;
      },
    ],
    [
      "create an agent key bound to one agent (the CLI) and pay with it, as that agent only",
      async () => {
        const args = ["key", "create", "--agent", "agent-j", "--name", "checkout", "--json"];
        const made = await cli(dev!.cwd, args, asAda);
        expect(made.code, made.out).toBe(0);
        s.key = (JSON.parse(made.out.split("\n").find((l) => l.startsWith("{"))!) as { api_key: string }).api_key;
        expect(s.key).toMatch(/^siq_live_/);
        const paid = await http.call("POST", "/v1/payments", payment("agent-j"), s.key);
        expect(paid.status, JSON.stringify(paid.body)).toBe(200);
        expect(paid.body.decision).toBe("approve");
        const other = await http.call("POST", "/v1/payments", payment("agent-k"), s.key);
        expect({ status: other.status, code: other.body.code }).toEqual({ status: 403, code: "AGENT_NOT_ALLOWED" });
        expect((await http.call("POST", "/v1/payments", payment("agent-j"), `${s.key}x`)).status).toBe(401);
      },
    ],
    [
      "log out: the session's access token is refused from the next request",
      async () => {
        expect((await me(s.session.access_token)).status).toBe(200);
        const out = await http.call("POST", "/v1/auth/logout", { refresh_token: s.session.refresh_token });
        expect(out.status).toBe(200);
        expect((await me(s.session.access_token)).status).toBe(401);
      },
    ],
    [
      "a password reset through the mailed link works once",
      async () => {
        expect((await http.call("POST", "/v1/auth/password/reset-request", { email: ADA })).status).toBe(200);
        const token = await mail(ADA, /reset/i, "/auth/reset-password");
        expect((await http.call("POST", "/v1/auth/password/reset", { token, password: NEW_PASS })).status).toBe(200);
        const again = await http.call("POST", "/v1/auth/password/reset", { token, password: "a third passphrase!" });
        expect({ status: again.status, code: again.body.code }).toEqual({ status: 400, code: "LINK_TOKEN_INVALID" });
        expect((await login(ADA, PASS)).status).toBe(401);
        const ada = await login(ADA, NEW_PASS);
        expect(ada.status).toBe(200);
        s.owner = ada.body.access_token;
      },
    ],
    [
      "a deactivated person's access token is refused at once",
      async () => {
        expect((await http.call("DELETE", `/v1/admin/users/${s.bobId}`, undefined, s.owner)).status).toBe(200);
        expect((await me(s.bob.access_token)).status).toBe(401);
      },
    ],
    [
      "20 wrong passwords for one account: the validators lock it out, visible in the log",
      async () => {
        for (const [email, role] of [
          [PEOPLE.eve[0], "analyst"],
          [PEOPLE.vic[0], "viewer"],
        ] as const)
          expect((await http.call("POST", "/v1/admin/users/invite", { email, role }, s.owner)).status).toBe(200);
        await join_(PEOPLE.eve);
        s.viewer = await join_(PEOPLE.vic);
        const answers = [];
        for (let i = 0; i < 20; i++) answers.push(await login(PEOPLE.eve[0], `wrong passphrase ${i}!`));
        const statuses = answers.map((a) => a.status);
        expect(statuses).toEqual([...Array(4).fill(401), ...Array(5).fill(403), ...Array(11).fill(423)]);
        expect(answers[19]!.body.code).toBe("ACCOUNT_LOCKED");
        expect(Number(answers[19]!.headers.get("retry-after"))).toBeGreaterThan(0);
        expect((await login(...PEOPLE.eve)).status).toBe(423); // the right password too
        // The organisation's own agent key reads its trail: the login events the validators decided.
        const shown = await cli(dev!.cwd, ["log", "show", "--type", "admin", "--api-key", s.key]);
        expect(shown.code, shown.out).toBe(0);
        const logins = shown.out.split("\n").filter((l) => l.split("\t")[2] === "login");
        expect(logins.filter((l) => /\treject\//.test(l)).length, shown.out).toBeGreaterThanOrEqual(12);
        expect(logins.some((l) => /\tchallenge\//.test(l))).toBe(true);
        expect(shown.out).toMatch(/user\.deactivated/);
        expect(shown.out).toMatch(/user\.password_reset/);
      },
    ],
    [
      "a viewer cannot create keys (HTTP and CLI alike)",
      async () => {
        const body = { name: "nope", agent_ids: ["agent-j"] };
        const refused = await http.call("POST", "/v1/keys", body, s.viewer.access_token);
        expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: "FORBIDDEN" });
        const [email, password] = PEOPLE.vic;
        const viaCli = await cli(dev!.cwd, ["key", "create", "--agent", "agent-j"], {
          SENTINELIQ_EMAIL: email,
          SENTINELIQ_PASSWORD: password,
        });
        expect(viaCli.code).not.toBe(0);
        expect(viaCli.out).toMatch(/403 FORBIDDEN/);
      },
    ],
    [
      "every answer so far carried the security headers",
      () => {
        expect(http.missing).toEqual([]);
        expect(http.answered()).toBeGreaterThan(50);
        return Promise.resolve();
      },
    ],
    [
      "a burst gets 429s with Retry-After (the workspace's coordinator with production-default limits)",
      async () => {
        await dev!.stop();
        nats = await testNats({ ownServer: true });
        const prod = await productionLimitsCoordinator(dev!, nats.url);
        coordinator = prod;
        base = prod.url;
        expect((await me(s.owner)).status).toBe(200);
        const burst = await Promise.all(Array.from({ length: 320 }, () => me(s.owner)));
        const limited = burst.filter((a) => a.status === 429);
        expect(burst.filter((a) => a.status === 200).length).toBe(299); // 300 a minute, one spent above
        expect(limited.length).toBe(21);
        for (const a of limited) {
          expect(a.body.code).toBe("RATE_LIMITED");
          expect(Number(a.headers.get("retry-after"))).toBeGreaterThan(0);
        }
        // Another person is not slowed by the one over the limit; the 429s carried the security headers too.
        expect((await me(s.viewer.access_token)).status).toBe(200);
        expect(http.missing).toEqual([]);
      },
    ],
  ];

  it("walks the Done-when list in order", { timeout: 900_000 }, async () => {
    dev = await startDevIn();
    base = dev.creds.base_url;
    for (const [what, step] of steps) {
      try {
        await step();
      } catch (e) {
        (e as Error).message = `${what}: ${(e as Error).message}`;
        throw e;
      }
    }
  });
});
