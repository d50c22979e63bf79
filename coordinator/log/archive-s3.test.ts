/** The S3 archive store against a real S3-protocol server on loopback (s3rver). */
import { mkdtempSync } from "node:fs";
import { createServer, request, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pino } from "pino";
import { createLogger } from "../../lib/logger.ts";
import { parseS3Url, s3Client } from "../../lib/s3.ts";
import { S3ArchiveStore } from "./archive-s3.ts";

const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

describe("S3ArchiveStore", () => {
  let server: S3rver;
  let endpoint: string;
  beforeAll(async () => {
    server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: mkdtempSync(join(tmpdir(), "s3-")) });
    const { port } = await server.run();
    endpoint = `http://127.0.0.1:${port}`;
  });
  afterAll(() => server?.close());

  const storeFor = (bucket: string) => {
    const loc = parseS3Url(`s3://${bucket}/log?endpoint=${endpoint}`);
    const client = s3Client(loc, credentials);
    return { client, store: new S3ArchiveStore(loc, client, createLogger("test", "silent")) };
  };
  const text = async (client: ReturnType<typeof s3Client>, Bucket: string, Key: string) =>
    (await client.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();

  it("writes objects under the prefix, never replaces one, and replaces only the checkpoint", async () => {
    const { client, store } = storeFor("arch-a");
    await client.send(new CreateBucketCommand({ Bucket: "arch-a" }));
    await store.open();
    expect(store.locked).toBe(false); // s3rver has no object lock: detected, and said in the log
    expect(await store.has("tile/0/000")).toBe(false);
    await store.create("tile/0/000", Buffer.from("first"));
    expect(await store.has("tile/0/000")).toBe(true);
    await store.create("tile/0/000", Buffer.from("second"));
    expect(await text(client, "arch-a", "log/tile/0/000")).toBe("first");
    await store.putCheckpoint(Buffer.from("cp 1"));
    await store.putCheckpoint(Buffer.from("cp 2"));
    expect(await text(client, "arch-a", "log/checkpoint")).toBe("cp 2");
  });

  it("leaves an object someone else put at a tile's path as it is", async () => {
    const { client, store } = storeFor("arch-b");
    await client.send(new CreateBucketCommand({ Bucket: "arch-b" }));
    await client.send(new PutObjectCommand({ Bucket: "arch-b", Key: "log/tile/entries/000", Body: "planted" }));
    await store.open();
    await store.create("tile/entries/000", Buffer.from("real bundle"));
    expect(await text(client, "arch-b", "log/tile/entries/000")).toBe("planted");
  });

  it("fails to open a bucket that does not exist (the archive retries) and to write into it", async () => {
    const { store } = storeFor("no-such-bucket");
    await expect(store.open()).rejects.toThrow();
    await expect(store.create("tile/0/001", Buffer.from("x"))).rejects.toThrow();
  });

  it("says in its log when the bucket has no object lock", async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
    const loc = parseS3Url(`s3://arch-a/log?endpoint=${endpoint}`);
    await new S3ArchiveStore(loc, s3Client(loc, credentials), pino(sink)).open();
    expect(lines.join("")).toContain("archive bucket has no object lock");
  });

  /**
   * s3rver has no object lock: a front of a few lines answers the bucket's lock configuration as a bucket
   * created `--with-lock` does, passes everything else to s3rver, and keeps the headers of every PUT.
   */
  it("writes every tile and checkpoint with a lock (mode, retain-until) when the bucket has object lock; bundles without, rewritable, their old versions deleted", async () => {
    const puts: { url: string; headers: IncomingHttpHeaders }[] = [];
    const deletes: string[] = [];
    const front: Server = createServer((req, res) => {
      if (req.method === "GET" && req.url?.includes("object-lock")) {
        res.writeHead(200, { "content-type": "application/xml" });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>',
        );
        return;
      }
      // A locked bucket is versioned: the bundle's first bytes are still a version after it is rewritten.
      if (req.method === "GET" && req.url?.includes("versions")) {
        const v = (id: string, latest: boolean) =>
          `<Version><Key>log/tile/entries/000</Key><VersionId>${id}</VersionId><IsLatest>${latest}</IsLatest></Version>`;
        res.writeHead(200, { "content-type": "application/xml" });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>arch-c</Name><IsTruncated>false</IsTruncated>${v("v2", true)}${v("v1", false)}</ListVersionsResult>`,
        );
        return;
      }
      if (req.method === "DELETE") {
        deletes.push(req.url!.split("&x-id")[0]!);
        res.writeHead(204);
        res.end();
        return;
      }
      if (req.method === "PUT") puts.push({ url: req.url!, headers: req.headers });
      const fwd = request(`${endpoint}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      });
      req.pipe(fwd);
    });
    await new Promise<void>((r) => front.listen(0, "127.0.0.1", r));
    try {
      const port = (front.address() as AddressInfo).port;
      const loc = parseS3Url(`s3://arch-c/log?endpoint=http://127.0.0.1:${port}&lock_mode=compliance&retain_days=10`);
      const client = s3Client(loc, credentials);
      await client.send(new CreateBucketCommand({ Bucket: "arch-c" }));
      const store = new S3ArchiveStore(loc, client, createLogger("test", "silent"));
      await store.open();
      expect(store.locked).toBe(true);
      const before = Date.now();
      await store.create("tile/0/000", Buffer.from("tile"));
      await store.putCheckpoint(Buffer.from("cp"));
      const objects = puts.filter((p) => p.url.startsWith("/arch-c/log/"));
      expect(objects.map((p) => p.url.split("?")[0])).toEqual(["/arch-c/log/tile/0/000", "/arch-c/log/checkpoint"]);
      for (const { headers } of objects) {
        expect(headers["x-amz-object-lock-mode"]).toBe("COMPLIANCE");
        const until = Date.parse(String(headers["x-amz-object-lock-retain-until-date"]));
        expect(until - before).toBeGreaterThan(10 * 86_400_000 - 60_000);
        expect(until - before).toBeLessThan(10 * 86_400_000 + 60_000);
      }
      expect(objects[0]!.headers["if-none-match"]).toBe("*");

      puts.length = 0;
      await store.create("tile/entries/000", Buffer.from("bundle"));
      await store.replaceBundle("tile/entries/000", Buffer.from("bundle with tombstones"));
      expect(await text(client, "arch-c", "log/tile/entries/000")).toBe("bundle with tombstones");
      expect(puts).toHaveLength(2);
      for (const { headers } of puts) expect(headers["x-amz-object-lock-mode"]).toBeUndefined();
      expect(deletes).toEqual(["/arch-c/log/tile/entries/000?versionId=v1"]);
      for (const path of ["tile/0/000", "checkpoint"])
        await expect(store.replaceBundle(path, Buffer.from("x"))).rejects.toThrow(/never rewritten/);
      expect(await text(client, "arch-c", "log/tile/0/000")).toBe("tile");
      client.destroy();
    } finally {
      front.close();
    }
  });
});
