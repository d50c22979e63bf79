/** The S3 archive store against a real S3-protocol server on loopback (s3rver). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
