/**
 * Where an S3-compatible archive lives, written as one URL (ARCHIVE_URL, `log verify --s3`):
 *
 *   s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&lock_mode=GOVERNANCE&retain_days=2555
 *
 * `endpoint` (absent: AWS itself) switches to path-style addressing, which MinIO and other servers want.
 * `lock_mode` and `retain_days` apply only when the bucket has object lock enabled.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { z } from "zod";

export const ARCHIVE_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;
/** Seven years: the usual record-keeping period for payment records. */
export const DEFAULT_RETAIN_DAYS = 2555;

export const S3Location = z
  .object({
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "not an S3 bucket name"),
    /** Key prefix, without leading or trailing slash ("" for the bucket's root). */
    prefix: z.string(),
    endpoint: z.string().url().optional(),
    region: z.string().min(1).default("us-east-1"),
    lockMode: z.enum(ARCHIVE_LOCK_MODES).default("GOVERNANCE"),
    retainDays: z.number().int().min(1).max(36500).default(DEFAULT_RETAIN_DAYS),
  })
  .readonly();
export type S3Location = z.infer<typeof S3Location>;

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Parses an `s3://` URL; throws an Error naming what is wrong. */
export function parseS3Url(text: string): S3Location {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${text} is not a URL (want s3://bucket/prefix?endpoint=…)`);
  }
  if (url.protocol !== "s3:") throw new Error(`${text}: an archive URL starts with s3://`);
  const known = new Set(["endpoint", "region", "lock_mode", "retain_days"]);
  for (const k of url.searchParams.keys()) if (!known.has(k)) throw new Error(`${text}: unknown parameter ${k}`);
  const q = (k: string) => url.searchParams.get(k) ?? undefined;
  const days = q("retain_days");
  const parsed = S3Location.safeParse({
    bucket: url.hostname,
    prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ""),
    endpoint: q("endpoint"),
    region: q("region"),
    lockMode: q("lock_mode")?.toUpperCase(),
    retainDays: days === undefined ? undefined : Number(days),
  });
  if (!parsed.success)
    throw new Error(`${text}: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** The key of a tlog-tiles path ("checkpoint", "tile/0/000") under the location's prefix. */
export function s3Key(loc: S3Location, path: string): string {
  return loc.prefix ? `${loc.prefix}/${path}` : path;
}

/** A client for the location; without credentials the SDK's default chain finds them (instance role, profile). */
export function s3Client(loc: S3Location, credentials?: S3Credentials): S3Client {
  return new S3Client({
    region: loc.region,
    ...(loc.endpoint ? { endpoint: loc.endpoint, forcePathStyle: true } : {}),
    // A copy: the SDK marks the object it is given (frozen config would make it throw).
    ...(credentials ? { credentials: { ...credentials } } : {}),
    maxAttempts: 3,
  });
}

/** Whether an S3 error means "no such object" (GetObject: NoSuchKey; HeadObject: NotFound). */
export function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === "NoSuchKey" || err.name === "NotFound" || err.$metadata?.httpStatusCode === 404;
}
