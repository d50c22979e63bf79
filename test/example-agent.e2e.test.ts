/**
 * `npm run example:agent` against `npm start`, as a user runs them: the dev
 * network, then the example agent (the SDK from its sources, through the
 * package's "sentineliq-source" export condition, so no build is needed). It
 * must exit 0 with all three outcomes, and again on a second run against the
 * same network. The network runs on its in-process bus here (one process, so
 * the test stays quick on a busy machine); the SDK, registry and validator
 * caches are tested on NATS JetStream in audit.e2e, sdk.e2e and sdk-package.e2e.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "../cli/launcher/processes.ts";
import { freePort } from "../lib/nats-server.ts";

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL("../examples/agent/main.ts", import.meta.url));

describe("the example agent against sentineliq dev", () => {
  let dev: ChildProcess | undefined;
  const dir = mkdtempSync(join(tmpdir(), "siq-example-"));
  afterAll(async () => {
    if (dev && dev.exitCode === null) {
      const exited = new Promise((r) => dev!.once("exit", r));
      dev.kill("SIGINT");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("approves the audited path, challenges the modified function, rejects the revoked one; exit 0, twice", async () => {
    // No NATS_URL and no nats-server on PATH: `npm start` falls back to its in-process bus.
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: dirname(process.execPath) + ":/usr/bin:/bin" };
    delete env.NATS_URL;
    delete env.DATABASE_URL;
    delete env.SENTINELIQ_URL;
    delete env.SENTINELIQ_API_KEY;
    delete env.SENTINELIQ_AUDITOR_KEY;
    const port = await freePort();
    dev = spawn(process.execPath, [BIN, "dev", "--port", String(port)], { cwd: dir, env });
    let out = "";
    dev.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    dev.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    const deadline = Date.now() + 60_000;
    while (!out.includes("Ctrl-C stops everything")) {
      if (dev.exitCode !== null || Date.now() > deadline) throw new Error(`dev did not start:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }

    expect(out).toContain("IN-PROCESS BUS");
    const agent = () => run(process.execPath, ["--conditions=sentineliq-source", EXAMPLE], { cwd: dir, env });
    const first = await agent();
    expect(first.stdout).toMatch(/1\. audited path\s+✓ approved, settled \(simulated\), risk LOW/);
    expect(first.stdout).toMatch(/2\. modified function\s+✓ challenged, risk MEDIUM: .*UNAUDITED_CODE_PATH/);
    expect(first.stdout).toMatch(/3\. revoked function\s+✓ rejected, risk CRITICAL: .*REVOKED_CODE_PATH/);
    expect(first.stdout).toContain("All three outcomes as expected.");
    const second = await agent(); // execFile rejects on a non-zero exit
    expect(second.stdout).toContain("All three outcomes as expected.");

    // Every registry change and decision is in a log that verifies.
    const creds = JSON.parse(readFileSync(join(dir, ".sentineliq", "dev-credentials.json"), "utf8"));
    const verified = await run(process.execPath, [BIN, "log", "verify"], { cwd: dir, env });
    expect(verified.stdout).toMatch(/✓ \d+ entries verified/);
    const list = await run(process.execPath, [BIN, "audit", "list", "--json"], { cwd: dir, env });
    const states = (JSON.parse(list.stdout) as { name: string; state: string }[])
      .map((r) => `${r.name}:${r.state}`)
      .sort();
    expect(states).toEqual([
      "handleInvoice:approved",
      "payInvoice:approved",
      "payInvoice:pending",
      "refundLegacy:revoked",
    ]);
    expect(creds.auditor_key).toMatch(/^siq_auditor_/);
    expect(creds.approver_key).toMatch(/^siq_approver_/);
  }, 150_000);
});
