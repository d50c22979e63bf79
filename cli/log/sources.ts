/**
 * Where `sentineliq log` reads a log from: a URL (any tlog-tiles prefix, or our coordinator), a tiles
 * directory, an S3 archive, or the local store.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { request } from "undici";
import { isNotFound, parseS3Url, s3Client, s3Key, type S3Credentials } from "../../lib/s3.ts";
import { LogStore, migrate } from "../../coordinator/index.ts";
import { openDb } from "../../lib/db.ts";
import {
  encodeBundle,
  EntriesUnreadable,
  LogEntriesResponse,
  parseTilePath,
  TILE_WIDTH,
  type TileSource,
} from "../../protocol/index.ts";

/** The bytes at `url`, null on 404; `key` goes along as a bearer token. 401/403 throw `EntriesUnreadable`. */
export async function fetchBytes(url: string, key?: string): Promise<Uint8Array | null> {
  const res = await request(url, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode === 404) return null;
  if (res.statusCode === 401 || res.statusCode === 403)
    throw new EntriesUnreadable(`GET ${url} answered ${res.statusCode}${key ? " to this key" : " without a key"}`);
  if (res.statusCode !== 200)
    throw new Error(`GET ${url} answered ${res.statusCode}: ${body.toString("utf8").slice(0, 200)}`);
  return body;
}

/**
 * `url` is a tlog-tiles prefix (…/checkpoint exists), or a coordinator whose prefix is /v1/log. Hash tiles and
 * the checkpoint are read without a key; entry bundles with `key` when given. Where bundles are refused and the
 * prefix is a coordinator's, `readable` reads the entries this key may read from `/v1/log/entries`.
 */
export async function httpSource(url: string, key?: string): Promise<TileSource> {
  let prefix = url.replace(/\/$/, "");
  if (!(await fetchBytes(`${prefix}/checkpoint`).catch(() => null))) prefix += "/v1/log";
  const coordinator = prefix.endsWith("/v1/log") ? prefix.slice(0, -"/v1/log".length) : undefined;
  return {
    describe: `the log at ${prefix}`,
    async checkpoint() {
      const b = await fetchBytes(`${prefix}/checkpoint`);
      if (!b) throw new Error(`no checkpoint at ${prefix}/checkpoint`);
      return Buffer.from(b).toString("utf8");
    },
    get: (path) => fetchBytes(`${prefix}/${path}`, path.startsWith("tile/entries/") ? key : undefined),
    ...(coordinator && key ? { readable: entryPages(coordinator, key) } : {}),
  };
}

/**
 * Reads `/v1/log/entries` forwards a page at a time (each page: up to 1,000 of the entries this key may read,
 * from `start`), remembering how far it knows them all, so that the whole log costs one pass.
 */
function entryPages(base: string, key: string): NonNullable<TileSource["readable"]> {
  const known = new Map<number, Uint8Array>();
  let coveredTo = 0;
  return async (start, count) => {
    if (coveredTo < start) coveredTo = start;
    while (coveredTo < start + count) {
      const page = await fetchBytes(`${base}/v1/log/entries?start=${coveredTo}&limit=1000`, key);
      if (!page) throw new Error(`GET ${base}/v1/log/entries answered 404`);
      const { entries } = LogEntriesResponse.parse(JSON.parse(Buffer.from(page).toString("utf8")));
      for (const e of entries) if (e.index >= start) known.set(e.index, Buffer.from(e.leaf, "base64"));
      coveredTo = entries.length < 1000 ? Number.MAX_SAFE_INTEGER : entries.at(-1)!.index + 1;
    }
    const out = new Map<number, Uint8Array>();
    for (let i = start; i < start + count; i++) {
      const e = known.get(i);
      if (e) out.set(i, e);
      known.delete(i);
    }
    return out;
  };
}

export function dirSource(dir: string): TileSource {
  const read = (p: string) => (existsSync(join(dir, p)) ? readFileSync(join(dir, p)) : null);
  return {
    describe: `the tiles in ${dir}`,
    checkpoint() {
      const b = read("checkpoint");
      return b ? Promise.resolve(b.toString("utf8")) : Promise.reject(new Error(`no checkpoint file in ${dir}`));
    },
    get: (path) => Promise.resolve(read(path)),
  };
}

/** An archive in an S3 bucket (`s3://bucket/prefix?endpoint=…`), read with the operator's credentials. */
export function s3Source(url: string, credentials?: S3Credentials): TileSource & { close(): Promise<void> } {
  const loc = parseS3Url(url);
  const client = s3Client(loc, credentials);
  const read = async (path: string): Promise<Uint8Array | null> => {
    try {
      const r = await client.send(new GetObjectCommand({ Bucket: loc.bucket, Key: s3Key(loc, path) }));
      return r.Body ? await r.Body.transformToByteArray() : new Uint8Array();
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  };
  return {
    describe: `the archive in s3://${loc.bucket}/${loc.prefix}`,
    async checkpoint() {
      const b = await read("checkpoint");
      if (!b) throw new Error(`no checkpoint in s3://${loc.bucket}/${s3Key(loc, "checkpoint")}`);
      return Buffer.from(b).toString("utf8");
    },
    get: read,
    close: () => Promise.resolve(client.destroy()),
  };
}

/** The local store, read as tiles. Uses the latest published checkpoint, else the latest signed one. */
export async function dbSource(url: string, schema?: string): Promise<TileSource & { close(): Promise<void> }> {
  const db = await openDb({ url, ...(schema ? { schema } : {}) });
  await migrate(db);
  const store = new LogStore(db);
  return {
    describe: /^postgres/.test(url) ? "the PostgreSQL log" : `the PGlite log in ${url}`,
    async checkpoint() {
      const cp = (await store.lastPublished()) ?? (await store.lastSigned());
      if (!cp) throw new Error("the store holds no signed checkpoint yet");
      return cp.cosignedNote ?? cp.signedNote;
    },
    async get(path) {
      const t = parseTilePath(path);
      if (!t) return null;
      if (t.level === "entries") {
        const rows = await store.entries(t.n * TILE_WIDTH, t.width);
        return rows.length === t.width ? encodeBundle(rows.map((r) => r.entry)) : null;
      }
      const data = await store.tile(t.level, t.n);
      return data && data.length >= t.width * 32 ? data.subarray(0, t.width * 32) : null;
    },
    close: () => db.close(),
  };
}
