/**
 * The archive in an S3 bucket, against a real S3-protocol server on loopback (s3rver): a network whose
 * coordinator archives to `s3://…` keeps taking payments while the bucket is missing, catches the archive
 * up once it exists, never rewrites an object it wrote, and `sentineliq log verify --s3` accepts the
 * archive and rejects it once one object in the bucket is tampered with.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { pino } from "pino";
import S3rver from "s3rver";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../cli/launcher/processes.ts";
import { LogStore, S3ArchiveStore, TileArchive } from "../coordinator/index.ts";
import { parseS3Url, s3Client } from "../lib/s3.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

const run = promisify(execFile);
const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const BUCKET = "siq-archive";

const until = async (what: () => boolean | Promise<boolean>, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe("the archive in an S3 bucket", () => {
  let server: S3rver;
  let net: TestNetwork;
  let url: string;
  let s3: S3Client;
  const objects = async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "log/" }));
    return new Map((r.Contents ?? []).map((o) => [o.Key!, `${o.ETag} ${o.LastModified?.toISOString()}`]));
  };
  const archived = async () => {
    try {
      const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: "log/checkpoint" }));
      return Number((await r.Body!.transformToString()).split("\n")[1]);
    } catch {
      return -1;
    }
  };
  const pay = async (count: number) => {
    for (let i = 0; i < count; i += 25) {
      const batch = Array.from({ length: Math.min(25, count - i) }, (_, j) =>
        net.post(net.payment({ amount: `${1 + ((i + j) % 40)}.00` })),
      );
      for (const a of await Promise.all(batch)) expect(a.status).toBe(200);
    }
  };
  const cli = async (args: string[]) => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };
    try {
      const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { cwd: tmpdir(), env });
      return { code: 0, out: stdout + stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, out: err.stdout + err.stderr };
    }
  };

  beforeAll(async () => {
    server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: mkdtempSync(join(tmpdir(), "s3-")) });
    const { port } = await server.run();
    url = `s3://${BUCKET}/log?endpoint=http://127.0.0.1:${port}`;
    s3 = s3Client(parseS3Url(url), credentials);
    // The bucket does not exist yet: the archive fails, and retries.
    net = await startNetwork({
      store: "pglite",
      coordinatorConfig: { archiveUrl: url, archiveCredentials: credentials },
    });
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
    s3?.destroy();
    await server?.close();
  });

  it("takes payments while the bucket is missing, then catches the archive up without losing any", async () => {
    await pay(20);
    await until(async () => (await net.get("/v1/log/checkpoint")).status === 200);
    expect(await archived()).toBe(-1);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await until(async () => (await archived()) === 20);
    expect([...(await objects()).keys()].sort()).toEqual([
      "log/checkpoint",
      "log/tile/0/000.p/20",
      "log/tile/entries/000.p/20",
    ]);
  }, 120_000);

  it("writes the tiles of a growing log beside those written before, never rewriting one", async () => {
    const before = await objects();
    await pay(250);
    await until(async () => (await archived()) === 270);
    const after = await objects();
    for (const [key, version] of before) if (key !== "log/checkpoint") expect(after.get(key), key).toBe(version);
    for (const key of ["log/tile/0/000", "log/tile/0/001.p/14", "log/tile/1/000.p/1", "log/tile/entries/000"])
      expect(after.has(key), key).toBe(true);
  }, 180_000);

  it("fills a new, empty archive from the database (as a coordinator does at start), retrying until it can", async () => {
    const log = new LogStore(net.db);
    const published = (await log.lastPublished())!;
    const loc = parseS3Url(url.replace("/log?", "/refill?").replace(BUCKET, "siq-refill"));
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const archive = new TileArchive({
      store: new S3ArchiveStore(loc, s3Client(loc, credentials), pino(sink)),
      log,
      logger: pino(sink),
      metrics: null,
      retryMs: 50,
    });
    archive.offer(published.size, published.cosignedNote!);
    await until(() => lines.join("").includes("archive write failed; retrying"));
    expect(archive.size).toBe(0);
    await s3.send(new CreateBucketCommand({ Bucket: "siq-refill" }));
    await archive.idle();
    expect(archive.size).toBe(published.size);
    const refill = `s3://siq-refill/refill?endpoint=${loc.endpoint}`;
    const state = mkdtempSync(join(tmpdir(), "siq-aud-"));
    const r = await cli(["log", "verify", "--s3", refill, "--vkey", net.vkey, "--state", state]);
    expect(r.out).toContain(`✓ ${published.size} entries verified`);
    expect(r.code).toBe(0);
    await archive.stop();
  }, 60_000);

  it("verifies with `log verify --s3`, and fails once one object in the bucket is tampered with", async () => {
    const state = mkdtempSync(join(tmpdir(), "siq-aud-"));
    const network = ["--network", join(net.dir, "network.json")];
    const ok = await cli(["log", "verify", "--s3", url, "--vkey", net.vkey, "--state", state, ...network]);
    expect(ok.out).toContain("✓ 270 entries verified");
    expect(ok.out).toContain("270 decisions re-checked");
    expect(ok.code).toBe(0);

    const key = "log/tile/entries/000";
    const bundle = Buffer.from(
      await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToByteArray(),
    );
    const at = bundle.indexOf('"risk_level":"LOW"', 2 + bundle.readUInt16BE(0) + 2 + 10);
    bundle.write('"risk_level":"MID"', at);
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bundle }));
    const fresh = mkdtempSync(join(tmpdir(), "siq-aud-"));
    const bad = await cli(["log", "verify", "--s3", url, "--vkey", net.vkey, "--state", fresh]);
    expect(bad.out).toMatch(/entry [1-9]\d*: LEAF_MISMATCH/);
    expect(bad.code).toBe(1);

    const usage = await cli(["log", "verify", "--s3", url, "--tiles", state, "--vkey", net.vkey]);
    expect(usage.code).toBe(2);
    const noBucket = await cli(["log", "verify", "--s3", url.replace(BUCKET, "no-such-bucket"), "--vkey", net.vkey]);
    expect(noBucket.code).toBe(2);
  }, 120_000);
});
