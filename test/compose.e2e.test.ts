/**
 * There is no Docker engine here, so this runs what docker-compose.yml runs,
 * as processes: the same commands and environment for init, the coordinator
 * and every validator, with the compose hostnames pointed at local servers
 * and each mount (secrets, configs, volumes) at the file compose would mount.
 * The bus is nats-server with the configuration init wrote: NKey users only; MinIO is s3rver on loopback
 * with the bucket minio-init creates, and the coordinator archives the log there.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CreateBucketCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { connect } from "@nats-io/transport-node";
import { BIN } from "../cli/launcher/processes.ts";
import { freePort, startNatsServer, type NatsServer } from "../lib/nats-server.ts";
import { parseS3Url, s3Client, s3Key } from "../lib/s3.ts";

const run = promisify(execFile);
interface Service {
  command?: string[];
  environment?: Record<string, string>;
  image?: string;
  build?: string;
  ports?: string[];
  volumes?: string[];
  secrets?: string[];
  configs?: ({ source: string; target: string } | string)[];
}
interface Compose {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
  configs: Record<string, { file: string }>;
}

describe("docker-compose.yml, run as processes", () => {
  const procs: ChildProcess[] = [];
  let nats: NatsServer | undefined;
  let s3: S3rver | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const p of procs) p.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
    await nats?.stop();
    await s3?.close();
    await dropDb?.();
  });

  const compose = parse(readFileSync(new URL("../docker-compose.yml", import.meta.url), "utf8"), {
    merge: true,
  }) as Compose;
  const ours = Object.entries(compose.services).filter(([, s]) => s.image === "sentineliq:dev");

  it("publishes no NATS port, and mounts into each container only its own role's secrets", () => {
    expect(ours.map(([n]) => n).sort()).toEqual(["coordinator", "init", "v1", "v2", "v3", "v4"]);
    for (const s of Object.values(compose.services)) expect((s.ports ?? []).join(" ")).not.toMatch(/4222/);
    expect(compose.services.nats!.command).toEqual(expect.arrayContaining(["-c"]));
    expect(compose.services.coordinator!.secrets).toEqual(["nats_coordinator"]);
    expect(compose.services.coordinator!.environment!.NATS_CREDS).toBe("/run/secrets/nats_coordinator");
    for (const id of ["v1", "v2", "v3", "v4"]) {
      const v = compose.services[id]!;
      expect(v.secrets).toEqual([`nats_${id}`, `key_${id}`]);
      expect(v.environment!.NATS_CREDS).toBe(`/run/secrets/nats_${id}`);
      expect(compose.secrets[`nats_${id}`]!.file).toBe(`./deploy/config/nats/validator-${id}.nk`);
      // No validator sees the operator's folder (other validators' keys and seeds).
      expect((v.volumes ?? []).join(" ")).not.toMatch(/deploy\/config/);
    }
  });

  it("archives the log in MinIO, in a bucket minio-init creates with object lock", () => {
    const archive = parseS3Url(compose.services.coordinator!.environment!.ARCHIVE_URL!);
    expect(archive.endpoint).toBe("http://minio:9000");
    expect(compose.services.minio!.command).toEqual(expect.arrayContaining(["server", "/data"]));
    const mb = compose.services["minio-init"]!.command!.join(" ");
    expect(mb).toContain(`mc mb --ignore-existing --with-lock local/${archive.bucket}`);
    // The archive holds every entry: its S3 API (9000) is not published, and the console only on loopback.
    for (const p of compose.services.minio!.ports ?? []) expect(p).toMatch(/^127\.0\.0\.1:9001:/);
  });

  it("brings up a working network from the compose services", async () => {
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
    // What compose mounts, where a process finds it: secrets and configs, the operator's folder, state volumes.
    const hostFile = (file: string) => file.replace("./deploy/config", config);
    const mounts = (s: Service, name: string): [string, string][] => [
      ...(s.secrets ?? []).map((k): [string, string] => [`/run/secrets/${k}`, hostFile(compose.secrets[k]!.file)]),
      ...(s.configs ?? []).map((c): [string, string] =>
        typeof c === "string"
          ? [`/${c}`, hostFile(compose.configs[c]!.file)]
          : [c.target, hostFile(compose.configs[c.source]!.file)],
      ),
      ["/state", join(config, "state", name)],
      ["/config", config],
    ];
    let natsUrl = "";
    // The minio service: s3rver on loopback, with the bucket minio-init creates.
    // s3rver admits the access keys it knows: the compose file's, as MinIO's root user would.
    const coordinatorEnv = compose.services.coordinator!.environment!;
    const s3Accounts = createRequire(import.meta.url)("s3rver/lib/models/account.js") as {
      DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void };
    };
    s3Accounts.DUMMY_ACCOUNT.createKeyPair(coordinatorEnv.AWS_ACCESS_KEY_ID!, coordinatorEnv.AWS_SECRET_ACCESS_KEY!);
    s3 = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: join(config, "minio") });
    const s3Url = `http://127.0.0.1:${(await s3.run()).port}`;
    const archive = parseS3Url(
      compose.services.coordinator!.environment!.ARCHIVE_URL!.replace("http://minio:9000", s3Url),
    );
    const bucket = s3Client(archive, { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
    await bucket.send(new CreateBucketCommand({ Bucket: archive.bucket }));
    const localise = (s: Service, name: string) => (v: string) => {
      for (const [from, to] of mounts(s, name)) if (v.startsWith(from)) return to + v.slice(from.length);
      // Each container has its own network: on one host, each validator's metrics take a free port.
      if (v === "0.0.0.0:9300") return "127.0.0.1:0";
      return v.replace("nats://nats:4222", natsUrl).replace("http://minio:9000", s3Url);
    };
    const envFor = (s: Service, name: string): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn" };
      delete env.NATS_URL;
      delete env.DATABASE_URL;
      for (const [k, v] of Object.entries(s.environment ?? {})) {
        if (k === "DATABASE_URL") {
          if (databaseUrl) env[k] = databaseUrl;
        } else if (k === "PORT") env[k] = String(port);
        else env[k] = localise(s, name)(v);
      }
      return env;
    };
    const args = (s: Service, name: string) => (s.command ?? []).map(localise(s, name));

    const init = compose.services.init!;
    await run(process.execPath, [BIN, ...args(init, "init")], { env: envFor(init, "init") });
    // keys init wrote one seed per role, readable by its owner only.
    for (const k of Object.keys(compose.secrets).filter((k) => k.startsWith("nats_")))
      expect(statSync(hostFile(compose.secrets[k]!.file)).mode & 0o777).toBe(0o600);
    // The nats service: nats-server with the configuration init wrote (as compose mounts it).
    const natsConf = compose.services.nats!.configs!.find((c) => typeof c !== "string" && c.source)!;
    nats = await startNatsServer({
      searchPath: process.env.PATH ?? "",
      configFile: hostFile(compose.configs[(natsConf as { source: string }).source]!.file),
    });
    natsUrl = nats.url;
    await expect(connect({ servers: natsUrl, reconnect: false })).rejects.toThrow(/authoriz|authenticat/i);
    for (const [name, s] of ours) {
      if (name === "init") continue;
      const p = spawn(process.execPath, [BIN, ...args(s, name)], { env: envFor(s, name), stdio: "ignore" });
      procs.push(p);
    }

    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
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
    expect(nats.violations()).toEqual([]);
    // The coordinator archived the log in the bucket: a checkpoint of at least that one entry.
    const archived = async () => {
      const key = s3Key(archive, "checkpoint");
      const got = await bucket.send(new GetObjectCommand({ Bucket: archive.bucket, Key: key })).catch(() => null);
      return got ? Number((await got.Body!.transformToString()).split("\n")[1]) : 0;
    };
    const until = Date.now() + 30_000;
    while ((await archived()) < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(await archived()).toBeGreaterThanOrEqual(1);
    bucket.destroy();
  }, 120_000);
});
