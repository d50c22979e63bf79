/** A small HTTP client built from the route definitions (used by pay, bench and log). */
import { Agent, request } from "undici";
import { routePath, routes, type Routes, type WireError } from "../../protocol/index.ts";

export interface Target {
  baseUrl: string;
  apiKey?: string;
}

export interface CallResult<T> {
  status: number;
  body: T | WireError;
  text: string;
}

const agent = new Agent({ connections: 256, pipelining: 1, keepAliveTimeout: 30_000 });

export async function call<K extends keyof Routes>(
  target: Target,
  name: K,
  input: { params?: Record<string, string>; body?: unknown; query?: Record<string, string | number> } = {},
): Promise<CallResult<unknown>> {
  const def = routes[name];
  let path = routePath(def.path, input.params);
  if (input.query) {
    const q: Record<string, string> = {};
    for (const [k, v] of Object.entries(input.query)) q[k] = String(v);
    path += "?" + new URLSearchParams(q).toString();
  }
  const headers: Record<string, string> = {};
  if (def.auth !== "none" && target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  if (input.body !== undefined) headers["content-type"] = "application/json";
  const res = await request(target.baseUrl.replace(/\/$/, "") + path, {
    method: def.method,
    headers,
    body: input.body === undefined ? null : JSON.stringify(input.body),
    dispatcher: agent,
  });
  const text = await res.body.text();
  let body: unknown = text;
  if ((res.headers["content-type"] ?? "").toString().includes("json")) body = JSON.parse(text);
  return { status: res.statusCode, body, text };
}
