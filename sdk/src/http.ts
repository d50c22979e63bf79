/**
 * Calls one route with retries. Every route the SDK calls is safe to repeat
 * (payments carry an idempotency key, audit submissions are keyed by hash,
 * approvals and revocations by state), so a lost answer, a reset connection,
 * a 429 or a 5xx is retried with exponential backoff and jitter, honouring
 * Retry-After; anything else is raised at once as a typed error.
 */
import { errorFromResponse, NetworkError, type SentinelIQError } from "./errors.ts";
import { routes, type RouteName } from "./wire.ts";

export interface TransportOptions {
  baseUrl: string;
  apiKey: string;
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** Per attempt, in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** First backoff step in milliseconds (default 200); doubles each retry. */
  backoffMs?: number;
  fetch?: typeof fetch;
}

export interface Transport {
  call<T>(
    route: RouteName,
    input?: { params?: Record<string, string>; body?: unknown; query?: Record<string, string | number | undefined> },
  ): Promise<T>;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const USER_AGENT = "sentineliq-sdk/0.1.0";

export function transport(opts: TransportOptions): Transport {
  const base = opts.baseUrl.replace(/\/+$/, "");
  const maxRetries = opts.maxRetries ?? 3;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const backoffMs = opts.backoffMs ?? 200;
  const doFetch = opts.fetch ?? fetch;
  if (!/^https?:\/\//.test(base)) throw new TypeError("baseUrl must be an http(s) URL");
  if (!opts.apiKey) throw new TypeError("apiKey is required");

  return {
    async call<T>(
      name: RouteName,
      input: {
        params?: Record<string, string>;
        body?: unknown;
        query?: Record<string, string | number | undefined>;
      } = {},
    ) {
      const def = routes[name];
      const url = base + fillPath(def.path, input.params ?? {}) + queryString(input.query);
      const headers: Record<string, string> = {
        authorization: `Bearer ${opts.apiKey}`,
        "user-agent": USER_AGENT,
        accept: "application/json",
      };
      if (input.body !== undefined) headers["content-type"] = "application/json";
      const body = input.body === undefined ? undefined : JSON.stringify(input.body);
      let last: SentinelIQError | undefined;
      for (let attempt = 0; attempt <= maxRetries; attempt++) {
        if (attempt > 0) await sleep(delay(attempt, backoffMs, last));
        let res: Response;
        try {
          res = await doFetch(url, { method: def.method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
        } catch (cause) {
          last = new NetworkError(`no answer from ${def.method} ${url}: ${(cause as Error).message}`, {
            code: "NETWORK_ERROR",
            cause,
          });
          continue;
        }
        const text = await res.text().catch(() => "");
        const parsed = parseJson(text);
        if (res.ok) return parsed as T;
        last = errorFromResponse(res.status, parsed ?? text);
        retryAfter.set(last, Number(res.headers.get("retry-after")));
        if (!RETRY_STATUS.has(res.status)) throw last;
      }
      throw last!;
    },
  };
}

const retryAfter = new WeakMap<SentinelIQError, number>();

function delay(attempt: number, baseMs: number, last: SentinelIQError | undefined): number {
  const hinted = last ? retryAfter.get(last) : undefined;
  if (hinted !== undefined && Number.isFinite(hinted) && hinted > 0) return Math.min(hinted * 1000, 10_000);
  const exp = baseMs * 2 ** (attempt - 1);
  return exp / 2 + Math.random() * exp;
}

function fillPath(path: string, params: Record<string, string>): string {
  return path.replace(/:([a-z_]+)/g, (_, key: string) => {
    const v = params[key];
    if (v === undefined) throw new TypeError(`missing path parameter ${key}`);
    return encodeURIComponent(v);
  });
}

function queryString(query: Record<string, string | number | undefined> | undefined): string {
  if (!query) return "";
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
