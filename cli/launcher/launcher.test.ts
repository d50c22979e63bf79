/**
 * The launcher on its own: a network in process on the in-process bus and
 * PGlite, ready and then stopped; bad configs refused before anything starts;
 * a PGlite folder claimed by one live process at a time.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../lib/nats-server.ts";
import {
  apiKeyHash,
  claimStore,
  launchNetwork,
  prepareWorkspace,
  startBus,
  StoreBusyError,
  type NetworkSpec,
} from "./index.ts";

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), "siq-launcher-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function spec(dir: string, validators: number, mode: NetworkSpec["mode"]): NetworkSpec {
  const ws = prepareWorkspace(dir, validators);
  return {
    mode,
    bus: { url: undefined },
    namespace: "siq",
    validators: ws.validatorSet.validators.map((v) => ({ id: v.id, keyFile: ws.keyFile(v.id), logLevel: "silent" })),
    coordinator: {
      port: 0,
      databaseUrl: "memory://",
      logKeyFile: ws.logKeyFile,
      validatorSet: ws.validatorSet,
      tenants: [{ id: "t", api_key_sha256: [apiKeyHash(ws.apiKey)], agent_ids: ["agent-42"] }],
      logLevel: "silent",
    },
    files: { coordinatorConfig: join(dir, "coordinator.json"), configDir: join(dir, "nodes"), logsDir: ws.logsDir },
  };
}

describe("launchNetwork", () => {
  it("runs a network in process on the in-process bus: ready, listed, then stopped", async () => {
    const bus = await startBus({ searchPath: "", inProcessFallback: true });
    expect(bus.note).toBe("IN-PROCESS BUS");
    const net = await launchNetwork({ ...spec(tempDir(), 1, "in-process"), bus, readyTimeoutMs: 60_000 });
    expect((await fetch(`${net.url}/ready`)).status).toBe(200);
    expect(net.processes.map((p) => [p.name, p.pid])).toEqual([
      ["coordinator-1", process.pid],
      ["v1", process.pid],
    ]);
    expect(net.validators.map((v) => v.id)).toEqual(["v1"]);
    await net.stop();
    await bus.stop();
    await expect(fetch(`${net.url}/health`)).rejects.toThrow();
  }, 90_000);

  it("refuses a bad validator config before it starts or writes anything", async () => {
    const dir = tempDir();
    const s = spec(dir, 1, "processes");
    s.validators[0]!.faulty = "explode";
    s.coordinator.port = await freePort();
    await expect(launchNetwork({ ...s, bus: { url: "nats://127.0.0.1:1" } })).rejects.toThrow(/faulty/);
    expect(existsSync(join(dir, "nodes"))).toBe(false);
    expect(readdirSync(join(dir, "logs"))).toEqual([]);
  });

  it("refuses a coordinator config that does not parse, and a coordinator process without a fixed port", async () => {
    const dir = tempDir();
    const s = spec(dir, 1, "processes");
    await expect(launchNetwork({ ...s, bus: { url: "nats://127.0.0.1:1" } })).rejects.toThrow(/fixed port/);
    const broken = { ...s, coordinator: { ...s.coordinator, tenants: [] } };
    await expect(launchNetwork({ ...broken, mode: "in-process" })).rejects.toThrow(/tenants/);
    expect(existsSync(join(dir, "coordinator.json"))).toBe(false);
  });
});

describe("claimStore", () => {
  it("gives a PGlite folder to one live process at a time, and takes over a dead one's lock", () => {
    const dir = tempDir();
    const lockFile = join(dir, "pgdata.lock");
    const choice = { pgDir: join(dir, "pgdata"), lockFile };
    const mine = claimStore(choice);
    expect(mine.url).toBe(join(dir, "pgdata"));
    expect(() => claimStore(choice)).toThrow(StoreBusyError);
    mine.release();
    expect(existsSync(lockFile)).toBe(false);

    writeFileSync(lockFile, "999999999"); // no such process
    claimStore(choice).release();
    writeFileSync(lockFile, "not a pid");
    claimStore(choice).release();
  });

  it("uses DATABASE_URL as it is, in the schema asked for", () => {
    const s = claimStore({ databaseUrl: "postgres://x@127.0.0.1/db", schema: "bench_1", pgDir: "/nowhere" });
    expect([s.url, s.schema]).toEqual(["postgres://x@127.0.0.1/db", "bench_1"]);
  });
});
