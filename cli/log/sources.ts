/** Where `sentineliq log` reads a log from: a URL (any tlog-tiles prefix, or our coordinator), a tiles directory, or the local store. */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "undici";
import { LogStore, migrate } from "../../coordinator/index.ts";
import { openDb } from "../../lib/db.ts";
import { encodeBundle, parseTilePath, TILE_WIDTH, type TileSource } from "../../protocol/index.ts";

export async function fetchBytes(url: string): Promise<Uint8Array | null> {
  const res = await request(url);
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode === 404) return null;
  if (res.statusCode !== 200)
    throw new Error(`GET ${url} answered ${res.statusCode}: ${body.toString("utf8").slice(0, 200)}`);
  return body;
}

/** `url` is a tlog-tiles prefix (…/checkpoint exists), or a coordinator whose prefix is /v1/log. */
export async function httpSource(url: string): Promise<TileSource> {
  let prefix = url.replace(/\/$/, "");
  if (!(await fetchBytes(`${prefix}/checkpoint`).catch(() => null))) prefix += "/v1/log";
  return {
    describe: `the log at ${prefix}`,
    async checkpoint() {
      const b = await fetchBytes(`${prefix}/checkpoint`);
      if (!b) throw new Error(`no checkpoint at ${prefix}/checkpoint`);
      return Buffer.from(b).toString("utf8");
    },
    get: (path) => fetchBytes(`${prefix}/${path}`),
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
