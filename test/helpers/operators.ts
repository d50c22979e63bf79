/** Operator accounts over real HTTP: calls with headers, and the token a captured mail's link carries. */
import type { CaughtMail } from "../../lib/mail-catcher.ts";

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
  ms: number;
}

export function httpClient(base: string) {
  return async (method: string, path: string, body?: unknown, token?: string): Promise<Answer> => {
    const t0 = performance.now();
    const res = await fetch(base + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text.startsWith("{") ? JSON.parse(text) : text,
      headers: res.headers,
      ms: performance.now() - t0,
    };
  };
}

/** The `token=` of the mail's link to `page` (e.g. "/auth/verify-email"), checked to point at `base`. */
export function linkToken(mail: CaughtMail, base: string, page: string): string {
  const link = mail.links.map((l) => new URL(l)).find((u) => u.pathname === page);
  if (!link) throw new Error(`no ${page} link in "${mail.subject}": ${mail.text}`);
  if (link.origin !== new URL(base).origin) throw new Error(`link to ${link.origin}, not ${base}`);
  const token = link.searchParams.get("token");
  if (!token) throw new Error(`no token= in ${link.href}`);
  return token;
}
