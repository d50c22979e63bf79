/**
 * The HTTP API. Routes come from `protocol/routes.ts`; each handler receives
 * input already parsed by the route's zod schemas, and the tenant when the
 * route needs one.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import type { z } from "zod";
import { routes, type RouteDef, type Routes } from "../../protocol/index.ts";
import { ApiKeys, type Principal } from "./auth.ts";
import { fromZod, installErrorHandling } from "./errors.ts";
import { registerDocs } from "./docs.ts";
import { installInputChecks } from "./input-checks.ts";
import { authorizeUser, type UserAuthenticator } from "./user-auth.ts";

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
}

export function buildServer(opts: ServerOptions): FastifyInstance {
  const app = Fastify({ bodyLimit: opts.bodyLimitBytes, logger: false, return503OnClosing: true });
  installErrorHandling(app, opts.onInternalError);
  // JSON only: anything else is a 415, not a string for the schemas to puzzle over.
  app.removeContentTypeParser(["text/plain"]);
  installInputChecks(app);
  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
    return payload;
  });

  for (const name of Object.keys(routes) as (keyof Routes)[])
    addRoute(app, name, opts.handlers[name], opts.apiKeys, opts.users);

  app.get("/metrics", async (_req, reply) => reply.type("text/plain; version=0.0.4").send(await opts.metricsText()));
  registerDocs(app);
  return app;
}

/** Generic in the route's name, so that its definition and its handler are known to belong together. */
function addRoute<K extends keyof Routes>(
  app: FastifyInstance,
  name: K,
  handler: Handlers[K],
  apiKeys: ApiKeys,
  users: UserAuthenticator | undefined,
): void {
  const def = routes[name];
  app.route({
    method: def.method,
    url: def.path,
    handler: async (req, reply) => {
      const header = req.headers.authorization;
      const principal =
        def.auth === "none"
          ? undefined
          : def.auth === "user"
            ? await authorizeUser(def, header, apiKeys, users)
            : await apiKeys.authorizeRequest(def.auth, header);
      const out = await handler(parseInput(def, req, principal));
      if (out.contentType) void reply.type(out.contentType);
      if (out.headers) void reply.headers(out.headers);
      return reply.status(out.status ?? 200).send(out.body);
    },
  });
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
