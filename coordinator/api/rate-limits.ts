/**
 * Rate limits through @fastify/rate-limit: per client IP on every request, then, once the caller is
 * known, per API key (by its SHA-256, never the key), per signed-in person (the token's `sub`) and per
 * organisation. Over a limit: 429 RATE_LIMITED with `Retry-After`, in the one error shape.
 */
import fastifyRateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { sha256Hex, SiqError } from "../../protocol/index.ts";
import type { Principal } from "./auth.ts";
import type { Limit, RateLimits } from "./edge-config.ts";
import { SnapshotStore } from "./rate-limit-store.ts";

type Check = (
  req: FastifyRequest,
) => Promise<{ isAllowed: true } | { isAllowed: false; isExceeded: boolean; ttlInSeconds: number }>;
type Kind = "ip" | "key" | "user" | "org";

const NAMES: Record<Kind, string> = {
  ip: "this IP address",
  key: "this API key",
  user: "this person",
  org: "this organisation",
};

export interface RateLimiter {
  perIp(req: FastifyRequest, reply: FastifyReply): Promise<void>;
  /** The limits of the caller (`bearer`: the credential it sent, hashed for the per-key count). */
  perPrincipal(req: FastifyRequest, reply: FastifyReply, principal: Principal, bearer: string): Promise<void>;
}

/** Registers the plugin (no global hook: the edge calls these checks itself) and builds the checks on first use. */
export function rateLimiter(app: FastifyInstance, limits: RateLimits): RateLimiter {
  void app.register(fastifyRateLimit, { global: false, store: SnapshotStore });
  const checks = new Map<string, Check>();
  // Each limit counts in its own store; the key is computed by the caller and passed on the request.
  const keys = new WeakMap<FastifyRequest, string>();
  const check = (kind: Kind, limit: Limit): Check => {
    let c = checks.get(kind);
    if (!c) {
      c = app.createRateLimit({
        max: limit.max,
        timeWindow: limit.windowMs,
        keyGenerator: (req) => keys.get(req) ?? "",
      });
      checks.set(kind, c);
    }
    return c;
  };
  const enforce = async (req: FastifyRequest, reply: FastifyReply, kind: Kind, limit: Limit, key: string) => {
    keys.set(req, `${kind}:${key}`);
    const r = await check(kind, limit)(req);
    if (r.isAllowed || !r.isExceeded) return;
    void reply.header("retry-after", String(Math.max(1, r.ttlInSeconds)));
    throw new SiqError(
      "RATE_LIMITED",
      `too many requests from ${NAMES[kind]} (${limit.max} per ${limit.windowMs / 1000} s); retry in ${r.ttlInSeconds} s`,
    );
  };
  return {
    perIp: (req, reply) => enforce(req, reply, "ip", limits.perIp, req.ip),
    async perPrincipal(req, reply, p, bearer) {
      if (p.role === "user") await enforce(req, reply, "user", limits.perUser, p.userId);
      else await enforce(req, reply, "key", limits.perKey, sha256Hex(bearer));
      const org = p.role === "user" ? p.orgId : p.role === "agent" || p.role === "approver" ? p.tenant : undefined;
      if (org !== undefined) await enforce(req, reply, "org", limits.perOrg, org);
    },
  };
}
