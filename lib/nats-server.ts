/**
 * Finds a nats-server binary and runs it on a free loopback port with
 * JetStream in a temporary folder (as nats.js's own test launcher does).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface NatsServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** The permission violations the server has logged (publish or subscribe refused to a user). */
  violations(): string[];
  stop(): Promise<void>;
}

/** `searchPath`: a PATH-style list of folders (the caller's PATH). */
export function findNatsServer(searchPath: string): string | undefined {
  for (const dir of searchPath.split(delimiter)) {
    const candidate = join(dir, "nats-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startNatsServer(
  opts: {
    binary?: string;
    searchPath?: string;
    port?: number;
    args?: string[];
    /** A nats-server configuration file (users and permissions); address, port and store come from here. */
    configFile?: string;
  } = {},
): Promise<NatsServer> {
  const binary = opts.binary ?? findNatsServer(opts.searchPath ?? "");
  if (!binary) throw new Error("nats-server not found on PATH: install it (apt install nats-server) or set NATS_URL");
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "siq-nats-"));
  const config = opts.configFile ? ["-c", opts.configFile] : [];
  const args = [...config, "-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir, ...(opts.args ?? [])];
  const child = spawn(binary, args, {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const violations: string[] = [];
  child.stderr?.on("data", (b: Buffer) => {
    const text = b.toString();
    stderr = (stderr + text).slice(-4000);
    for (const line of text.split("\n")) if (/violation/i.test(line) && violations.length < 1000) violations.push(line);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`nats-server exited: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`nats-server did not start on port ${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    process: child,
    violations: () => [...violations],
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
