/**
 * `npm start` under a process manager: the signal goes to npm's pid only (as
 * `docker stop` or systemd send it), not to a terminal's process group. The
 * whole network must still stop: dev, its nats-server, the coordinator and
 * every validator. And if npm itself is killed outright, dev notices its
 * parent is gone and stops the network too.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../lib/nats-server.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Live (not zombie) processes, from /proc: pid → parent pid. */
function processTable(): Map<number, number> {
  const table = new Map<number, number>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (rest[0] !== "Z" && rest[0] !== "X") table.set(Number(name), Number(rest[1]));
    } catch {
      /* gone while we looked */
    }
  }
  return table;
}

function descendants(root: number): number[] {
  const table = processTable();
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of table)
      if (parent === pid) {
        out.push(child);
        walk(child);
      }
  };
  walk(root);
  return out;
}

async function npmStart(): Promise<{ npm: ChildProcess; dir: string; out: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), "siq-npm-start-"));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn", npm_config_update_notifier: "false" };
  delete env.NATS_URL; // its own nats-server, as on a fresh machine
  delete env.DATABASE_URL;
  delete env.PORT;
  const args = ["start", "--", "--validators", "2", "--port", String(port), "--dir", join(dir, ".sentineliq")];
  const npm = spawn("npm", args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  npm.stdout.on("data", (b: Buffer) => (out += b.toString()));
  npm.stderr.on("data", (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 120_000;
  while (!out.includes("Ctrl-C stops everything")) {
    if (npm.exitCode !== null || Date.now() > deadline) throw new Error(`npm start did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { npm, dir, out: () => out };
}

/** Everything the network runs: processes.json's list, and every process below npm. */
function networkPids(npm: ChildProcess, dir: string): { listed: { name: string; pid: number }[]; all: number[] } {
  const file = join(dir, ".sentineliq", "processes.json");
  const listed = JSON.parse(readFileSync(file, "utf8")) as { name: string; pid: number }[];
  const all = [...new Set([...listed.map((p) => p.pid), ...descendants(npm.pid!)])];
  return { listed, all };
}

async function goneWithin(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const table = processTable();
    const left = pids.filter((p) => table.has(p));
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("npm start", () => {
  const started: { npm: ChildProcess; dir: string; pids: number[] }[] = [];
  afterAll(() => {
    for (const s of started) {
      for (const pid of [s.npm.pid!, ...s.pids])
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* already gone */
        }
      rmSync(s.dir, { recursive: true, force: true });
    }
  });

  it("stops the whole network when only npm's pid gets SIGTERM", async () => {
    const { npm, dir, out } = await npmStart();
    const { listed, all } = networkPids(npm, dir);
    started.push({ npm, dir, pids: all });
    expect(listed.map((p) => p.name).sort()).toEqual(["coordinator-1", "nats-1", "v1", "v2"]);
    expect(all.length).toBeGreaterThanOrEqual(5); // dev itself, nats-server, the coordinator, two validators
    const exited = new Promise<number | null>((r) => npm.once("exit", (code) => r(code)));

    process.kill(npm.pid!, "SIGTERM");

    expect(await goneWithin(all, 15_000)).toEqual([]);
    await exited;
    expect(out()).toContain("Stopped.");
  }, 180_000);

  it("stops the whole network when npm is killed outright (dev watches its parent)", async () => {
    const { npm, dir, out } = await npmStart();
    const { all } = networkPids(npm, dir);
    started.push({ npm, dir, pids: all });

    process.kill(npm.pid!, "SIGKILL");

    expect(await goneWithin(all, 15_000)).toEqual([]);
    // npm is gone, but dev wrote to the pipe it inherited: its last words arrive after it has exited.
    for (let i = 0; i < 50 && !out().includes("Stopped."); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out()).toContain("Stopped.");
  }, 180_000);
});
