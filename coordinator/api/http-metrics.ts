/**
 * Each answer measured: latency by method, route template and status; errors by
 * their code; authentications by result. The route is its template (bounded
 * labels), `(none)` for a path no route serves.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Counter, Histogram } from "prom-client";

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
