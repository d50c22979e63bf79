/**
 * The real thing for end-to-end tests: `sentineliq dev` as a child process,
 * exactly as `npm start` runs it (its own nats-server, 4 validator processes,
 * the coordinator, PGlite in a temporary workspace), on a free port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAddressDecoder } from "@solana/kit";
import { freePort } from "../../lib/nats-server.ts";
import { BIN } from "../../cli/launcher/processes.ts";

export interface DevNetwork {
  url: string;
  apiKey: string;
  dir: string;
  example: Record<string, unknown>;
  payment(overrides?: Record<string, unknown>): Record<string, unknown>;
  post(path: string, body: unknown): Promise<{ status: number; body: any }>;
  get(path: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

export const address = (): string => getAddressDecoder().decode(randomBytes(32));

export async function startDev(opts: { rules?: string; validators?: number } = {}): Promise<DevNetwork> {
  const dir = mkdtempSync(join(tmpdir(), "siq-dev-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn" };
  delete env.NATS_URL; // its own nats-server, as on a fresh machine
  delete env.DATABASE_URL; // PGlite in the workspace
  delete env.PORT;
  const args = [
    BIN,
    "dev",
    "--dir",
    dir,
    "--port",
    String(port),
    "--validators",
    String(opts.validators ?? 4),
    ...(opts.rules ? ["--rules", opts.rules] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const credsFile = join(dir, "dev-credentials.json");
  const deadline = Date.now() + 120_000;
  while (!output.includes("SentinelIQ is up")) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`sentineliq dev did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const creds = JSON.parse(readFileSync(credsFile, "utf8")) as {
    api_key: string;
    base_url: string;
    example_payment: Record<string, unknown>;
  };
  const http = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(creds.base_url + path, {
      method,
      headers: {
        authorization: `Bearer ${creds.api_key}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith("{") ? JSON.parse(text) : text };
  };
  return {
    url: creds.base_url,
    apiKey: creds.api_key,
    dir,
    example: creds.example_payment,
    payment: (o = {}) => ({
      ...creds.example_payment,
      idempotency_key: `t-${randomBytes(6).toString("hex")}`,
      sender: address(),
      receiver: address(),
      ...o,
    }),
    post: (path, body) => http("POST", path, body),
    get: (path) => http("GET", path),
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGINT");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
