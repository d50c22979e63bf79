/**
 * There is no Docker engine here, so this runs what docker-compose.yml runs,
 * as processes: the same commands and environment for init, the coordinator
 * and every validator, with the compose hostnames pointed at local servers.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BIN } from "../cli/launcher/processes.ts";
import { freePort } from "../lib/nats-server.ts";
import { testNats, type TestNats } from "./helpers/nats.ts";

const run = promisify(execFile);
interface Service {
  command?: string[];
  environment?: Record<string, string>;
  image?: string;
  build?: string;
}

describe("docker-compose.yml, run as processes", () => {
  const procs: ChildProcess[] = [];
  let nats: TestNats | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const p of procs) p.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
    await nats?.stop();
    await dropDb?.();
  });

  it("brings up a working network from the compose services", async () => {
    const compose = parse(readFileSync(new URL("../docker-compose.yml", import.meta.url), "utf8"), { merge: true }) as {
      services: Record<string, Service>;
    };
    const ours = Object.entries(compose.services).filter(([, s]) => s.image === "sentineliq:dev");
    expect(ours.map(([n]) => n).sort()).toEqual(["coordinator", "init", "v1", "v2", "v3", "v4"]);

    nats = await testNats({ ownServer: true });
    const config = mkdtempSync(join(tmpdir(), "siq-compose-"));
    const port = await freePort();
    let databaseUrl: string | undefined;
    if (process.env.DATABASE_URL) {
      const name = `siq_compose_${randomBytes(4).toString("hex")}`;
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      databaseUrl = process.env.DATABASE_URL.replace(/\/[^/]*$/, `/${name}`);
      dropDb = async () => {
        const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      };
    }
    const localise = (s: string) => s.replaceAll("/config", config).replace("nats://nats:4222", nats!.url);
    const envFor = (s: Service): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn" };
      delete env.NATS_URL;
      delete env.DATABASE_URL;
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (k === "DATABASE_URL") {
          if (databaseUrl) env[k] = databaseUrl;
        } else if (k === "PORT") env[k] = String(port);
        else env[k] = localise(v);
      }
      return env;
    };
    const args = (s: Service) => (s.command ?? []).map(localise);

    const init = compose.services.init!;
    await run(process.execPath, [BIN, ...args(init)], { env: envFor(init) });
    for (const [name, s] of ours) {
      if (name === "init") continue;
      const p = spawn(process.execPath, [BIN, ...args(s)], { env: envFor(s), stdio: "ignore" });
      procs.push(p);
    }

    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const ready = await fetch(`${base}/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error("compose network never became ready");
      await new Promise((r) => setTimeout(r, 200));
    }
    const { api_key } = JSON.parse(readFileSync(join(config, "credentials.json"), "utf8"));
    const res = await fetch(`${base}/v1/payments`, {
      method: "POST",
      headers: { authorization: `Bearer ${api_key}`, "content-type": "application/json" },
      body: JSON.stringify({
        idempotency_key: "compose-1",
        agent_id: "agent-1",
        sender: "11111111111111111111111111111112",
        receiver: "SysvarC1ock11111111111111111111111111111111",
        amount: "5.00",
        currency: "USDC",
        debug_mode: true,
        trace_context: { purpose: "compose smoke test" },
        func_stack_hashes: ["e57eb157d61a56f8d32a82fa47d04e96e531734430c80f6cb6b38d49137429f0"],
        metadata: { country_code: "NL" },
      }),
    });
    expect(await res.json()).toMatchObject({ decision: "approve", risk_level: "LOW", status: "settled" });
  }, 90_000);
});
