/**
 * The HTTP edge through `inject`: security headers on every answer (errors too), trusted hosts
 * against DNS rebinding, CORS only for configured origins, rate limits per IP, key, person and
 * organisation (429 with Retry-After), request ids, WWW-Authenticate, and the access log.
 */
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { routes, sha256Hex, SiqError } from "../../protocol/index.ts";
import { ApiKeys, type UserPrincipal } from "./auth.ts";
import { HttpConfig } from "./edge-config.ts";
import { buildServer, type Handlers } from "./server.ts";

const KEY_A = "siq_edge_key_a_0123456789abcdef";
const KEY_A2 = "siq_edge_key_a2_0123456789abcdef";
const KEY_B = "siq_edge_key_b_0123456789abcdef";
const TOKEN = (sub: string) => `eyJhbGciOiJFZERTQSJ9.${Buffer.from(sub).toString("base64url")}.c2ln`;

const handlers = Object.fromEntries(
  Object.keys(routes).map((name) => [name, () => Promise.resolve({ body: { status: "ok" } })]),
) as unknown as Handlers;

/** Access tokens whose middle part names the person (the accounts' JWT checks are tested in accounts/). */
const users = {
  authenticate: (token: string): Promise<UserPrincipal> => {
    const sub = Buffer.from(token.split(".")[1]!, "base64url").toString();
    if (!sub.startsWith("user-")) return Promise.reject(new SiqError("INVALID_TOKEN", "unknown token"));
    return Promise.resolve({ role: "user", userId: sub, orgId: "org-1", userRole: "owner", sessionId: "s" });
  },
};

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function server(http: unknown = {}, extra: { publicUrl?: string; log?: string[] } = {}): FastifyInstance {
  const lines = extra.log;
  app = buildServer({
    bodyLimitBytes: 64 * 1024,
    apiKeys: new ApiKeys([
      {
        id: "tenant-a",
        keys: [
          { sha256: sha256Hex(KEY_A), agent_ids: ["*"] },
          { sha256: sha256Hex(KEY_A2), agent_ids: ["*"] },
        ],
      },
      { id: "tenant-b", keys: [{ sha256: sha256Hex(KEY_B), agent_ids: ["*"] }] },
    ]),
    users,
    handlers,
    metricsText: () => Promise.resolve(""),
    onInternalError: () => {},
    http: HttpConfig.parse(http),
    publicUrl: extra.publicUrl,
    ...(lines
      ? {
          accessLog: pino(
            new Writable({
              write: (chunk: Buffer, _enc, cb) => {
                lines.push(chunk.toString());
                cb();
              },
            }),
          ),
        }
      : {}),
  });
  return app;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const payments = (key: string, extra: Record<string, string> = {}) => ({
  method: "POST" as const,
  url: "/v1/payments",
  headers: { ...bearer(key), "content-type": "application/json", ...extra },
  payload: "{not json",
});

function expectSecurityHeaders(h: Record<string, unknown>): void {
  expect(String(h["content-security-policy"])).toContain("frame-ancestors 'none'");
  expect(String(h["content-security-policy"])).toContain("default-src 'none'");
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["referrer-policy"]).toBe("no-referrer");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["cache-control"]).toBe("no-store");
  expect(h["x-request-id"]).toMatch(/^[A-Za-z0-9._:@-]{1,128}$/);
  // Plain HTTP: no HSTS (a browser would pin a host that may never serve TLS).
  expect(h["strict-transport-security"]).toBeUndefined();
}

describe("security headers", () => {
  it("are on every answer: 200, 404, 401, 400, 421 and 429", async () => {
    const a = server({ rateLimits: { perKey: { max: 1 } } });
    const ok = await a.inject({ url: "/health" });
    expect(ok.statusCode).toBe(200);
    expectSecurityHeaders(ok.headers);
    const missing = await a.inject({ url: "/v1/nothing-here" });
    expect(missing.statusCode).toBe(404);
    expectSecurityHeaders(missing.headers);
    const unauth = await a.inject({ method: "POST", url: "/v1/payments", payload: {} });
    expect(unauth.statusCode).toBe(401);
    expectSecurityHeaders(unauth.headers);
    const bad = await a.inject(payments(KEY_A));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe("INVALID_JSON");
    expectSecurityHeaders(bad.headers);
    const limited = await a.inject(payments(KEY_A));
    expect(limited.statusCode).toBe(429);
    expectSecurityHeaders(limited.headers);
    const rebound = await a.inject({ url: "/health", headers: { host: "evil.example" } });
    expect(rebound.statusCode).toBe(421);
    expectSecurityHeaders(rebound.headers);
  });

  it("add HSTS when the coordinator is told TLS is in front (or serves it)", async () => {
    const res = await server({ hsts: true }).inject({ url: "/health" });
    expect(res.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
  });

  it("/docs keeps its own self-only policy, still framed by nothing", async () => {
    const page = await server().inject({ url: "/docs" });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers["x-frame-options"]).toBe("DENY");
  });
});

describe("trusted hosts", () => {
  it("refuse a DNS-rebinding request (Host: evil.example) with 421 UNTRUSTED_HOST in the one error shape", async () => {
    const a = server();
    for (const host of ["evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.nip.io"]) {
      const res = await a.inject({ method: "POST", url: "/v1/payments", headers: { host, ...bearer(KEY_A) } });
      expect(res.statusCode, host).toBe(421);
      expect(res.json()).toMatchObject({
        statusCode: 421,
        code: "UNTRUSTED_HOST",
        error_details: { code: "UNTRUSTED_HOST" },
      });
    }
    for (const host of ["localhost", "localhost:8080", "127.0.0.1:9", "[::1]:8080", "LOCALHOST"])
      expect((await a.inject({ url: "/health", headers: { host } })).statusCode, host).toBe(200);
  });

  it("admit the public URL's host by default, and exactly the configured list when given", async () => {
    const pub = server({}, { publicUrl: "https://risk.example.com/" });
    expect((await pub.inject({ url: "/health", headers: { host: "risk.example.com" } })).statusCode).toBe(200);
    await pub.close();
    const listed = server({ trustedHosts: ["api.example.com"] });
    expect((await listed.inject({ url: "/health", headers: { host: "api.example.com:443" } })).statusCode).toBe(200);
    expect((await listed.inject({ url: "/health", headers: { host: "localhost" } })).statusCode).toBe(421);
  });
});

describe("CORS", () => {
  const preflight = (origin: string) => ({
    method: "OPTIONS" as const,
    url: "/v1/payments",
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization" },
  });

  it("allows no origin by default", async () => {
    const res = await server().inject(preflight("https://app.example.com"));
    expect(res.headers["access-control-allow-origin"]).toBeUndefined();
  });

  it("allows only the configured origins", async () => {
    const a = server({ corsOrigins: ["https://app.example.com"] });
    const ok = await a.inject(preflight("https://app.example.com"));
    expect(ok.headers["access-control-allow-origin"]).toBe("https://app.example.com");
    const other = await a.inject(preflight("https://evil.example"));
    expect(other.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("rate limits", () => {
  const expect429 = (res: { statusCode: number; headers: Record<string, unknown>; json(): any }, what: string) => {
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(res.json()).toMatchObject({
      statusCode: 429,
      code: "RATE_LIMITED",
      error_details: { code: "RATE_LIMITED" },
    });
    expect(res.json().message).toContain(what);
  };

  it("per API key: a burst gets 429 with Retry-After; another key is not throttled", async () => {
    const a = server({ rateLimits: { perKey: { max: 5, windowMs: 60_000 } } });
    const burst = await Promise.all(Array.from({ length: 8 }, () => a.inject(payments(KEY_A))));
    expect(burst.filter((r) => r.statusCode === 400)).toHaveLength(5);
    for (const r of burst.filter((r) => r.statusCode !== 400)) expect429(r, "this API key");
    expect((await a.inject(payments(KEY_B))).statusCode).toBe(400);
    expect((await a.inject(payments(KEY_A2))).statusCode).toBe(400);
    // The per-key count is by the key's hash: the key itself is in no answer.
    expect(JSON.stringify(burst.map((r) => [r.headers, r.payload]))).not.toContain(KEY_A);
  });

  it("per IP: every request counts, answered or not; another address is not throttled", async () => {
    const a = server({ rateLimits: { perIp: { max: 4 } } });
    const from = (remoteAddress: string) => a.inject({ url: "/health", remoteAddress });
    for (let i = 0; i < 4; i++) expect((await from("192.0.2.1")).statusCode).toBe(200);
    expect429(await from("192.0.2.1"), "this IP address");
    expect429(await a.inject({ ...payments(KEY_A), remoteAddress: "192.0.2.1" }), "this IP address");
    expect((await from("192.0.2.2")).statusCode).toBe(200);
  });

  it("per IP behind a proxy: with trustProxy the client is X-Forwarded-For's address; without, the socket's", async () => {
    const via = (a: FastifyInstance, client: string) =>
      a.inject({ url: "/health", remoteAddress: "10.0.0.1", headers: { "x-forwarded-for": client } });
    const proxied = server({ trustProxy: 1, rateLimits: { perIp: { max: 1 } } });
    expect((await via(proxied, "198.51.100.1")).statusCode).toBe(200);
    expect((await via(proxied, "198.51.100.2")).statusCode).toBe(200);
    expect((await via(proxied, "198.51.100.1")).statusCode).toBe(429);
    await proxied.close();
    // Not told of a proxy, a forged X-Forwarded-For buys no fresh allowance.
    const direct = server({ rateLimits: { perIp: { max: 1 } } });
    expect((await via(direct, "198.51.100.1")).statusCode).toBe(200);
    expect((await via(direct, "198.51.100.2")).statusCode).toBe(429);
  });

  it("per organisation: all its keys together; another organisation is not throttled", async () => {
    const a = server({ rateLimits: { perOrg: { max: 4 } } });
    for (const key of [KEY_A, KEY_A2, KEY_A, KEY_A2]) expect((await a.inject(payments(key))).statusCode).toBe(400);
    expect429(await a.inject(payments(KEY_A2)), "this organisation");
    expect((await a.inject(payments(KEY_B))).statusCode).toBe(400);
  });

  it("per signed-in person (the token's sub)", async () => {
    const a = server({ rateLimits: { perUser: { max: 2 } } });
    const me = (sub: string) => a.inject({ url: "/v1/users/me", headers: bearer(TOKEN(sub)) });
    expect((await me("user-1")).statusCode).toBe(200);
    expect((await me("user-1")).statusCode).toBe(200);
    expect429(await me("user-1"), "this person");
    expect((await me("user-2")).statusCode).toBe(200);
  });

  it("production defaults: 3000/min per IP, 1200/min per key, 300/min per person, 6000/min per organisation", () => {
    const d = HttpConfig.parse({}).rateLimits;
    expect(d).toEqual({
      perIp: { max: 3000, windowMs: 60_000 },
      perKey: { max: 1200, windowMs: 60_000 },
      perUser: { max: 300, windowMs: 60_000 },
      perOrg: { max: 6000, windowMs: 60_000 },
    });
  });
});

describe("request ids, WWW-Authenticate and the access log", () => {
  it("echoes a well-formed X-Request-Id, on errors too, and replaces a malformed one", async () => {
    const a = server();
    const given = await a.inject({ url: "/v1/nothing", headers: { "x-request-id": "req-123.abc" } });
    expect(given.headers["x-request-id"]).toBe("req-123.abc");
    for (const bad of ["x".repeat(129), "a b", "<script>", "é"]) {
      const res = await a.inject({ url: "/health", headers: { "x-request-id": bad } });
      expect(res.headers["x-request-id"]).not.toBe(bad);
      expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    }
    const none = await a.inject({ url: "/health" });
    expect(none.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("sends WWW-Authenticate: Bearer on every 401", async () => {
    const a = server();
    const none = await a.inject({ method: "POST", url: "/v1/payments", payload: {} });
    expect(none.statusCode).toBe(401);
    expect(none.headers["www-authenticate"]).toBe('Bearer realm="sentineliq"');
    // An unknown key with a body that is not even JSON: the caller is refused before the body is read.
    const unknown = await a.inject(payments("siq_unknown_key_0123456789"));
    expect(unknown.statusCode).toBe(401);
    expect(unknown.headers["www-authenticate"]).toMatch(/^Bearer /);
    const token = await a.inject({ url: "/v1/users/me", headers: bearer(TOKEN("nobody")) });
    expect(token.statusCode).toBe(401);
    expect(token.headers["www-authenticate"]).toBe('Bearer realm="sentineliq", error="invalid_token"');
  });

  it("logs one line per request: method, route, status, duration, request id, principal kind; never the key", async () => {
    const lines: string[] = [];
    const a = server({}, { log: lines });
    await a.inject({ ...payments(KEY_A, { "x-request-id": "log-me-1" }) });
    await a.inject({ url: "/v1/payments/pay_x", headers: { host: "evil.example", "x-request-id": "log-me-2" } });
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed[0]).toMatchObject({
      msg: "request",
      request_id: "log-me-1",
      method: "POST",
      route: "/v1/payments",
      status: 400,
      principal: "agent",
    });
    expect(parsed[0].duration_ms).toBeTypeOf("number");
    expect(parsed[0].ip).toBe("127.0.0.1");
    expect(parsed[1]).toMatchObject({ request_id: "log-me-2", status: 421, principal: "anonymous" });
    expect(lines.join("")).not.toContain(KEY_A);
    expect(lines.join("")).not.toContain(sha256Hex(KEY_A));
  });
});
