/**
 * The HTTP edge, in front of every route: request ids (echoed on every answer), security headers
 * (helmet), trusted hosts against DNS rebinding, CORS for configured origins only, the per-IP rate
 * limit, and one access log line per request. Limits per key, person and organisation come after
 * authentication (./rate-limits.ts).
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import fastifyCors from "@fastify/cors";
import fastifyHelmet from "@fastify/helmet";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Logger } from "../../lib/logger.ts";
import { inRequestScope } from "../../lib/request-scope.ts";
import { isRequestId, REQUEST_ID_HEADER, SiqError } from "../../protocol/index.ts";
import type { RateLimiter } from "./rate-limits.ts";

export interface EdgeOptions {
  trustedHosts: readonly string[];
  corsOrigins: readonly string[];
  hsts: boolean;
  limiter: RateLimiter;
  /** Where the access log goes (none: no access log). */
  accessLog: Logger | undefined;
}

/** The request's id: a well-formed `X-Request-Id` from the client, or a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return isRequestId(given) ? given : randomUUID();
}

/** An API answers JSON: it loads nothing and may be framed by nothing (/docs sets its own policy). */
const API_CSP = {
  "default-src": ["'none'"],
  "base-uri": ["'none'"],
  "form-action": ["'none'"],
  "frame-ancestors": ["'none'"],
};

const principalKinds = new WeakMap<FastifyRequest, string>();

/** Who made the request, for the access log: the principal's role, never its key or token. */
export function notePrincipal(req: FastifyRequest, kind: string): void {
  principalKinds.set(req, kind);
}

export function installEdge(app: FastifyInstance, o: EdgeOptions): void {
  app.addHook("onRequest", (req, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, req.id);
    inRequestScope(req.id, done);
  });
  void app.register(fastifyHelmet, {
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
    hsts: o.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginResourcePolicy: { policy: "same-origin" },
  });
  const trusted = new Set(o.trustedHosts);
  app.addHook("onRequest", (req, _reply, done) => {
    const host = hostOf(req.headers.host);
    if (trusted.has(host)) done();
    else done(new SiqError("UNTRUSTED_HOST", `this coordinator does not serve the host ${JSON.stringify(host)}`));
  });
  void app.register(fastifyCors, {
    origin: o.corsOrigins.length > 0 ? [...o.corsOrigins] : false,
    methods: ["GET", "POST", "PUT", "PATCH", "DELETE"],
    allowedHeaders: ["authorization", "content-type", "x-request-id"],
    exposedHeaders: ["x-request-id", "retry-after"],
    maxAge: 600,
  });
  app.addHook("onRequest", async (req, reply) => o.limiter.perIp(req, reply));
  if (o.accessLog) installAccessLog(app, o.accessLog);
  // Every answer, an error included, is private to its caller.
  app.addHook("onSend", async (_req, reply, payload) => {
    if (!reply.hasHeader("cache-control")) void reply.header("cache-control", "no-store");
    return payload;
  });
}

function installAccessLog(app: FastifyInstance, log: Logger): void {
  app.addHook("onResponse", async (req, reply) => {
    log.info(
      {
        request_id: req.id,
        method: req.method,
        route: req.routeOptions.url ?? "(none)",
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 10) / 10,
        principal: principalKinds.get(req) ?? "anonymous",
        ip: req.ip,
      },
      "request",
    );
  });
}

/** The host of a Host header, lower-case and without its port ("" when there is none). */
export function hostOf(header: string | undefined): string {
  const h = (header ?? "").trim().toLowerCase();
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  const colon = h.indexOf(":");
  return colon === -1 ? h : h.slice(0, colon);
}
