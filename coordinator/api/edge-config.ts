/**
 * The HTTP edge's settings (coordinator config `http`): trusted hosts, CORS origins, rate limits, TLS.
 * Defaults are production values; a test or a bench that needs others passes them.
 */
import { z } from "zod";

const Limit = z
  .object({
    /** Requests allowed per window. */
    max: z.number().int().min(1),
    windowMs: z.number().int().min(1000).max(3_600_000).default(60_000),
  })
  .strict();
export type Limit = z.infer<typeof Limit>;

export const RateLimits = z
  .object({
    /** Per client IP address (the socket's, or X-Forwarded-For's with `trustProxy`), on every request. */
    perIp: Limit.default({ max: 3000, windowMs: 60_000 }),
    /** Per API key (counted by the key's SHA-256, never the key). */
    perKey: Limit.default({ max: 1200, windowMs: 60_000 }),
    /** Per signed-in person (the access token's `sub`). */
    perUser: Limit.default({ max: 300, windowMs: 60_000 }),
    /** Per organisation (tenant): all its keys and people together. */
    perOrg: Limit.default({ max: 6000, windowMs: 60_000 }),
  })
  .strict();
export type RateLimits = z.infer<typeof RateLimits>;

/** A host name as it appears in a Host header, without the port (IPv6 in brackets). */
const HostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)$/, "a host name, without scheme or port");

export const HttpConfig = z
  .object({
    /** Host header values served (port ignored); default: loopback names, the bind address, the public URL's host. */
    trustedHosts: z.array(HostName).optional(),
    /** Origins (scheme://host[:port]) a browser may call the API from; default: none. */
    corsOrigins: z.array(z.url()).default([]),
    /** Trust X-Forwarded-For/-Proto from this many proxies in front (0: none, the socket is the client). */
    trustProxy: z.number().int().min(0).max(10).default(0),
    /** HTTPS with this certificate chain and key (PEM files); without them, plain HTTP (TLS at a proxy). */
    tls: z
      .object({ certFile: z.string().min(1), keyFile: z.string().min(1) })
      .strict()
      .optional(),
    /** Send Strict-Transport-Security; default: when `tls` is set. Set it when a proxy terminates TLS. */
    hsts: z.boolean().optional(),
    rateLimits: RateLimits.default(RateLimits.parse({})),
  })
  .strict();
export type HttpConfig = z.infer<typeof HttpConfig>;

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

/** The trusted hosts: the configured ones, or loopback, the bind address (unless a wildcard) and the public URL's host. */
export function trustedHostsOf(http: HttpConfig, bindHost: string, publicUrl: string | undefined): string[] {
  if (http.trustedHosts) return http.trustedHosts.map((h) => h.toLowerCase());
  const hosts = new Set(LOOPBACK);
  if (bindHost !== "0.0.0.0" && bindHost !== "::") hosts.add(bindHost.includes(":") ? `[${bindHost}]` : bindHost);
  if (publicUrl) hosts.add(new URL(publicUrl).hostname);
  return [...hosts].map((h) => h.toLowerCase());
}
