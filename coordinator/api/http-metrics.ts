/**
 * Each answer measured: latency by method, route template and status; errors by
 * their code; authentications by result (a key or token on a route, and people's
 * logins: `auth="login"`). The route is its template (bounded labels), `(none)`
 * for a path no route serves.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Counter, Histogram } from "prom-client";
import { routes } from "../../protocol/index.ts";

/** Where people log in: a 200 there is a login that succeeded, a 4xx one that failed. */
const LOGINS: ReadonlySet<string> = new Set([routes.authLogin.path, routes.authLoginStepUp.path]);

export interface HttpMetrics {
  httpSeconds: Histogram<"method" | "route" | "status">;
  httpErrors: Counter<"method" | "route" | "status" | "code">;
  authTotal: Counter<"auth" | "result">;
}

const errorCodes = new WeakMap<FastifyRequest, string>();

/** The error code an answer carries (the error handler notes it). */
export function noteErrorCode(req: FastifyRequest, code: string): void {
  errorCodes.set(req, code);
}

export function installHttpMetrics(app: FastifyInstance, m: HttpMetrics): void {
  app.addHook("onResponse", async (req, reply) => {
    const labels = { method: req.method, route: req.routeOptions.url ?? "(none)", status: String(reply.statusCode) };
    m.httpSeconds.observe(labels, reply.elapsedTime / 1000);
    if (reply.statusCode >= 400) m.httpErrors.inc({ ...labels, code: errorCodes.get(req) ?? "UNKNOWN" });
    if (LOGINS.has(labels.route) && reply.statusCode < 500)
      m.authTotal.inc({ auth: "login", result: reply.statusCode < 400 ? "success" : "failure" });
  });
}

/** Counts an authentication's result around `authenticate`. */
export async function countedAuth<T>(
  m: HttpMetrics | undefined,
  auth: string,
  authenticate: () => Promise<T>,
): Promise<T> {
  try {
    const p = await authenticate();
    m?.authTotal.inc({ auth, result: "success" });
    return p;
  } catch (e) {
    m?.authTotal.inc({ auth, result: "failure" });
    throw e;
  }
}
