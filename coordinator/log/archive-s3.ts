/**
 * The archive in an S3-compatible bucket (AWS, MinIO, …). Tiles and entry bundles are created only where no
 * object exists (HeadObject first, then PutObject with If-None-Match: *, for servers that honour it). When
 * the bucket has object lock enabled, every tile and checkpoint is written with a lock (`lock_mode`,
 * `retain_days`) — WORM: not even the coordinator's credentials can delete or overwrite it before then; a
 * locked bucket is versioned, so each checkpoint stays as a version. Entry bundles hold personal data and are
 * never locked: erasing a data subject rewrites the bundles holding its entries with tombstones, and deletes
 * the bundle's earlier versions in a versioned bucket. A bucket without object lock is used as it is, and the
 * coordinator says so in its log once.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { Logger } from "../../lib/logger.ts";
import { isNotFound, s3Key, type S3Location } from "../../lib/s3.ts";
import { assertBundlePath, type ArchiveStore } from "./archive.ts";

export class S3ArchiveStore implements ArchiveStore {
  readonly describe: string;
  readonly #loc: S3Location;
  readonly #client: S3Client;
  readonly #logger: Logger;
  #locked = false;

  constructor(loc: S3Location, client: S3Client, logger: Logger) {
    this.#loc = loc;
    this.#client = client;
    this.#logger = logger;
    this.describe = `s3://${loc.bucket}/${loc.prefix}`;
  }

  /** Whether objects are written with an object lock (known after `open`). */
  get locked(): boolean {
    return this.#locked;
  }

  async open(): Promise<void> {
    await this.#client.send(new HeadBucketCommand({ Bucket: this.#loc.bucket }));
    this.#locked = await this.#lockEnabled();
    if (this.#locked)
      this.#logger.info(
        { archive: this.describe, lock_mode: this.#loc.lockMode, retain_days: this.#loc.retainDays },
        "archive bucket has object lock: objects are written WORM",
      );
    else
      this.#logger.warn(
        { archive: this.describe },
        "archive bucket has no object lock: objects are never overwritten by the coordinator, but the bucket does not enforce it",
      );
  }

  async #lockEnabled(): Promise<boolean> {
    try {
      const r = await this.#client.send(new GetObjectLockConfigurationCommand({ Bucket: this.#loc.bucket }));
      return r.ObjectLockConfiguration?.ObjectLockEnabled === "Enabled";
    } catch (e) {
      const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
      // No configuration (AWS, MinIO), or a server without object lock at all.
      if (err.name === "ObjectLockConfigurationNotFoundError" || err.name === "NotImplemented") return false;
      if (err.$metadata?.httpStatusCode === 404 || err.$metadata?.httpStatusCode === 501) return false;
      throw e;
    }
  }

  async has(path: string): Promise<boolean> {
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.#loc.bucket, Key: s3Key(this.#loc, path) }));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async create(path: string, data: Buffer): Promise<void> {
    if (await this.has(path)) return;
    try {
      await this.#client.send(new PutObjectCommand({ ...this.#put(path, data), IfNoneMatch: "*" }));
    } catch (e) {
      // Written meanwhile (by an earlier attempt whose answer was lost): leave it.
      if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 412) return;
      throw e;
    }
  }

  async read(path: string): Promise<Buffer | undefined> {
    try {
      const r = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#loc.bucket, Key: s3Key(this.#loc, path) }),
      );
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async versions(path: string): Promise<string[]> {
    const key = s3Key(this.#loc, path);
    const out: string[] = [];
    let token: string | undefined;
    do {
      const r = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#loc.bucket, Prefix: key, ContinuationToken: token }),
      );
      for (const o of r.Contents ?? [])
        if (o.Key === key || /^\.p\/\d{1,3}$/.test(o.Key!.slice(key.length))) out.push(path + o.Key!.slice(key.length));
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async replaceBundle(path: string, data: Buffer): Promise<void> {
    assertBundlePath(path);
    await this.#client.send(new PutObjectCommand(this.#put(path, data)));
    await this.#dropOldVersions(s3Key(this.#loc, path));
  }

  /** In a versioned bucket the bytes replaced would stay as a version: deletes every version but the latest. */
  async #dropOldVersions(key: string): Promise<void> {
    let r;
    try {
      r = await this.#client.send(new ListObjectVersionsCommand({ Bucket: this.#loc.bucket, Prefix: key }));
    } catch (e) {
      const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 501 || (e as { name?: string }).name === "NotImplemented") return; // no versioning at all
      throw e;
    }
    for (const v of r.Versions ?? [])
      if (v.Key === key && !v.IsLatest && v.VersionId && v.VersionId !== "null")
        await this.#client.send(
          new DeleteObjectCommand({ Bucket: this.#loc.bucket, Key: key, VersionId: v.VersionId }),
        );
  }

  async putCheckpoint(data: Buffer): Promise<void> {
    await this.#client.send(new PutObjectCommand(this.#put("checkpoint", data)));
  }

  #put(path: string, data: Buffer): PutObjectCommandInput {
    // Entry bundles are never locked: an erasure must be able to rewrite them.
    const lock: Partial<PutObjectCommandInput> =
      this.#locked && !path.startsWith("tile/entries/")
        ? {
            ObjectLockMode: this.#loc.lockMode,
            ObjectLockRetainUntilDate: new Date(Date.now() + this.#loc.retainDays * 86_400_000),
          }
        : {};
    return {
      Bucket: this.#loc.bucket,
      Key: s3Key(this.#loc, path),
      Body: data,
      ContentType: path === "checkpoint" ? "text/plain; charset=utf-8" : "application/octet-stream",
      ...lock,
    };
  }
}
