/**
 * The HTTP API. Routes come from `protocol/routes.ts`; each handler receives
 * input already parsed by the route's zod schemas, and the tenant when the
 * route needs one.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { z } from "zod";
import type { Logger } from "../../lib/logger.ts";
import { routes, type RouteDef, type Routes } from "../../protocol/index.ts";
import { ApiKeys, type Principal } from "./auth.ts";
import { installEdge, notePrincipal, requestIdOf } from "./edge.ts";
import { HttpConfig, trustedHostsOf } from "./edge-config.ts";
import { rateLimiter, type RateLimiter } from "./rate-limits.ts";
import { fromZod, installErrorHandling } from "./errors.ts";
import { registerDocs } from "./docs.ts";
import { installInputChecks } from "./input-checks.ts";
import { authorizeUser, type UserAuthenticator } from "./user-auth.ts";
import { countedAuth, installHttpMetrics, type HttpMetrics } from "./http-metrics.ts";

type Input<R extends RouteDef> = {
  params: z.infer<R["params"]>;
  body: R["body"] extends z.ZodType ? z.infer<R["body"]> : undefined;
  query: R["query"] extends z.ZodType ? z.infer<R["query"]> : undefined;
  /** The agent's or approver's tenant ("" for an auditor or anonymous caller). */
  tenant: string;
  /** Who is calling (undefined on routes open to anyone). */
  principal: Principal | undefined;
  /** Where the request came from, as the server sees it (device fingerprints are made of it). */
  client: ClientInfo;
};

/** The request's source address and headers (names lower case). */
export interface ClientInfo {
  ip: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface Reply {
  status?: number;
  contentType?: string;
  headers?: Record<string, string>;
  body: unknown;
}

/** A handler may answer at once (a constant, a cached value) or later; a throw either way becomes the error reply. */
export type Handlers = { [K in keyof Routes]: (input: Input<Routes[K]>) => Reply | Promise<Reply> };

export interface ServerOptions {
  bodyLimitBytes: number;
  apiKeys: ApiKeys;
  /** Checks people's access tokens (operator accounts); without it, `user` routes refuse every token. */
  users?: UserAuthenticator;
  handlers: Handlers;
  metricsText: () => Promise<string>;
  onInternalError: (err: unknown) => void;
  /** The edge's settings (coordinator config `http`); default: production defaults. */
  http?: HttpConfig;
  /** Host names served when `http.trustedHosts` is not given: the bind address and the public URL. */
  bindHost?: string;
  publicUrl?: string | undefined;
  /** Serve HTTPS with this certificate chain and key (PEM); without: plain HTTP. */
  tls?: { cert: Buffer; key: Buffer } | undefined;
  /** The access log (none: no access log). */
  accessLog?: Logger;
  /** Latency, errors and authentications are counted here (none: not counted). */
  metrics?: HttpMetrics;
}

export function buildServer(opts: ServerOptions): FastifyInstance {
  const http = opts.http ?? HttpConfig.parse({});
  const options = {
    bodyLimit: opts.bodyLimitBytes,
    logger: false,
    return503OnClosing: true,
    // X-Forwarded-* from this many proxies in front, and no further.
    trustProxy: (_addr: string, hop: number) => hop < http.trustProxy,
    requestIdHeader: false as const,
    genReqId: requestIdOf,
  };
  // The HTTPS server's type differs only in what the edge and routes never touch.
  const app = (opts.tls ? Fastify({ ...options, https: opts.tls }) : Fastify(options)) as unknown as FastifyInstance;
  installErrorHandling(app, opts.onInternalError);
  if (opts.metrics) installHttpMetrics(app, opts.metrics);
  const limiter = rateLimiter(app, http.rateLimits);
  installEdge(app, {
    trustedHosts: trustedHostsOf(http, opts.bindHost ?? "127.0.0.1", opts.publicUrl),
    corsOrigins: http.corsOrigins,
    hsts: http.hsts ?? opts.tls !== undefined,
    limiter,
    accessLog: opts.accessLog,
  });
  // JSON only: anything else is a 415, not a string for the schemas to puzzle over.
  app.removeContentTypeParser(["text/plain"]);
  installInputChecks(app);

  for (const name of Object.keys(routes) as (keyof Routes)[])
    addRoute(app, name, opts.handlers[name], {
      apiKeys: opts.apiKeys,
      users: opts.users,
      limiter,
      metrics: opts.metrics,
    });

  app.get("/metrics", async (_req, reply) => reply.type("text/plain; version=0.0.4").send(await opts.metricsText()));
  registerDocs(app);
  return app;
}

/** Generic in the route's name, so that its definition and its handler are known to belong together. */
function addRoute<K extends keyof Routes>(app: FastifyInstance, name: K, handler: Handlers[K], who: Who): void {
  const def = routes[name];
  app.route({
    method: def.method,
    url: def.path,
    // Who is asking, and within their limits, before the body is read: a stranger's body is never parsed.
    onRequest: async (req, reply) => {
      const principal = await authenticate(def, req, reply, who);
      if (principal) principals.set(req, principal);
    },
    handler: async (req, reply) => {
      const out = await handler(parseInput(def, req, principals.get(req)));
      if (out.contentType) void reply.type(out.contentType);
      if (out.headers) void reply.headers(out.headers);
      return reply.status(out.status ?? 200).send(out.body);
    },
  });
}

const principals = new WeakMap<FastifyRequest, Principal>();

interface Who {
  apiKeys: ApiKeys;
  users: UserAuthenticator | undefined;
  limiter: RateLimiter;
  metrics: HttpMetrics | undefined;
}

/** The caller (undefined on open routes), within its rate limits; 401, 403 or 429 otherwise. */
async function authenticate(
  def: RouteDef,
  req: FastifyRequest,
  reply: FastifyReply,
  who: Who,
): Promise<Principal | undefined> {
  if (def.auth === "none") return undefined;
  const header = req.headers.authorization;
  const auth = def.auth;
  const principal = await countedAuth(who.metrics, auth, () =>
    auth === "user" ? authorizeUser(def, header, who.apiKeys, who.users) : who.apiKeys.authorizeRequest(auth, header),
  );
  notePrincipal(req, principal.role);
  await who.limiter.perPrincipal(req, reply, principal, /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1] ?? "");
  return principal;
}

function parseInput<R extends RouteDef>(def: R, req: FastifyRequest, principal: Principal | undefined): Input<R> {
  const tenant = principal?.role === "agent" || principal?.role === "approver" ? principal.tenant : "";
  const params = def.params.safeParse(req.params ?? {});
  if (!params.success) throw fromZod(params.error, "path");
  let body: unknown;
  if (def.body) {
    const r = def.body.safeParse(req.body);
    if (!r.success) throw fromZod(r.error, "body");
    body = r.data;
  }
  let query: unknown;
  if (def.query) {
    const r = def.query.safeParse(req.query ?? {});
    if (!r.success) throw fromZod(r.error, "query");
    query = r.data;
  }
  const client: ClientInfo = { ip: req.ip, headers: req.headers };
  return { params: params.data, body, query, tenant, principal, client } as Input<R>;
}
