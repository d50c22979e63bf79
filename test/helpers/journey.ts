/**
 * A new operator's tools for test/operator-journey.e2e: `sentineliq dev` as `npm start` runs it (its own
 * workspace under a fresh folder, kept after it stops), the CLI run from that folder, the caught mail, and
 * a fetch that checks the security headers of every answer it gets.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { BIN } from "../../cli/launcher/processes.ts";
import { freePort } from "../../lib/nats-server.ts";
import type { CaughtMail } from "../../lib/mail-catcher.ts";
import { linkToken } from "./operators.ts";

const exec = promisify(execFile);

export interface Dev {
  /** The folder the operator works in; the workspace is its `.sentineliq`. */
  cwd: string;
  ws: string;
  creds: { base_url: string; api_key: string; auditor_key: string; example_payment: Record<string, unknown> };
  proc: ChildProcess;
  out(): string;
  /** Ctrl-C; the workspace stays. */
  stop(): Promise<void>;
}

export async function spawnProcess(args: string[], env: NodeJS.ProcessEnv, cwd: string, ready: string) {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout.on("data", (b: Buffer) => (out += b.toString()));
  proc.stderr.on("data", (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 150_000; // four validator processes start slowly on a loaded machine
  while (!out.includes(ready)) {
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`sentineliq ${args[0]} did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = async () => {
    if (proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGINT");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
  };
  return { proc, out: () => out, stop };
}

/** `sentineliq dev` on a free port in a fresh folder, with its own nats-server, exactly as `npm start` runs it. */
export async function startDevIn(): Promise<Dev> {
  const cwd = mkdtempSync(join(tmpdir(), "siq-journey-"));
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn" };
  delete env.NATS_URL; // its own nats-server, admitting only the network's NKey users
  delete env.DATABASE_URL; // PGlite in the workspace, as on a fresh clone
  delete env.SMTP_URL; // mail caught by dev itself
  delete env.PORT;
  const port = await freePort();
  const p = await spawnProcess(["dev", "--port", String(port)], env, cwd, "Ctrl-C stops everything");
  const ws = join(cwd, ".sentineliq");
  const creds = JSON.parse(readFileSync(join(ws, "dev-credentials.json"), "utf8")) as Dev["creds"];
  return { cwd, ws, creds, ...p };
}

/**
 * The stopped dev workspace's coordinator started by itself with the dev config minus `http.rateLimits` (the
 * production defaults), on its PGlite store and `natsUrl` (the dev bus went with `sentineliq dev`; the
 * coordinator makes its streams). Answers its base URL and how to stop it.
 */
export async function productionLimitsCoordinator(dev: Dev, natsUrl: string) {
  const config = JSON.parse(readFileSync(join(dev.ws, "coordinator.json"), "utf8"));
  delete config.http.rateLimits;
  delete config.natsCreds;
  delete config.natsTls;
  const port = await freePort();
  const file = join(dev.ws, "coordinator-prod-limits.json");
  writeFileSync(file, JSON.stringify({ ...config, natsUrl, port, logLevel: "info" }, null, 2));
  const env: NodeJS.ProcessEnv = { ...process.env, NATS_URL: natsUrl };
  delete env.DATABASE_URL;
  delete env.PORT;
  const p = await spawnProcess(["coordinator", "--config", file], env, dev.cwd, "coordinator started");
  return { url: `http://127.0.0.1:${port}`, stop: p.stop };
}

/** `npx sentineliq …` from the operator's folder: exit code and output. */
export async function cli(cwd: string, args: string[], env: Record<string, string> = {}) {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete e.NATS_URL;
  delete e.DATABASE_URL;
  try {
    const r = await exec(process.execPath, [BIN, ...args], { cwd, env: e, timeout: 120_000 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const x = err as { code?: number; stdout?: string; stderr?: string };
    return { code: x.code ?? 1, out: (x.stdout ?? "") + (x.stderr ?? "") };
  }
}

/** The newest mail to `to` whose subject matches, as `sentineliq mail --json` lists them, and its link's token. */
export async function mailedToken(cwd: string, base: string, to: string, subject: RegExp, page: string) {
  for (const end = Date.now() + 30_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    const { out } = await cli(cwd, ["mail", "--json", "--last", "1000"]);
    const mails = out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as CaughtMail)
      .filter((m) => m.to.includes(to) && subject.test(m.subject));
    const m = mails.at(-1);
    if (m) return linkToken({ ...m, from: "" }, base, page);
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

const SECURITY_HEADERS: [string, RegExp][] = [
  ["content-security-policy", /frame-ancestors 'none'/],
  ["x-frame-options", /^DENY$/],
  ["referrer-policy", /^no-referrer$/],
  ["x-content-type-options", /^nosniff$/],
  ["cache-control", /no-store/],
];

/** An HTTP client like curl; every answer's missing security headers go into `missing`. */
export function operatorHttp(base: () => string) {
  const missing: string[] = [];
  let answers = 0;
  const call = async (method: string, path: string, body?: unknown, token?: string): Promise<Answer> => {
    const res = await fetch(base() + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    answers++;
    for (const [name, want] of SECURITY_HEADERS)
      if (!want.test(res.headers.get(name) ?? "")) missing.push(`${method} ${path} ${res.status}: ${name}`);
    return { status: res.status, body: text.startsWith("{") ? JSON.parse(text) : text, headers: res.headers };
  };
  return { call, missing, answered: () => answers };
}
