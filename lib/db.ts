/**
 * One SQL interface over PostgreSQL (`pg`) and embedded PGlite: the same SQL
 * runs on both. Byte columns come back as Buffer from either.
 */
import { mkdirSync } from "node:fs";
import pg from "pg";
import { SiqError } from "../protocol/index.ts";

export type Row = Record<string, unknown>;

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  readonly kind: "postgres" | "pglite";
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  /** postgres://… for PostgreSQL; otherwise a directory for PGlite, or "memory://" */
  url: string;
  /** PostgreSQL schema to use (created if missing); lets tests share one database. */
  schema?: string;
  poolSize?: number;
}

export async function openDb(opts: DbOptions): Promise<Db> {
  if (/^postgres(ql)?:\/\//.test(opts.url)) return openPostgres(opts);
  return openPglite(opts);
}

async function openPostgres(opts: DbOptions): Promise<Db> {
  const schema = opts.schema;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new TypeError("bad schema name");
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 8,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  pool.on("error", () => {
    /* a dropped idle client; the next query reconnects */
  });
  try {
    if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    else await pool.query("SELECT 1");
  } catch (cause) {
    await pool.end().catch(() => {});
    throw new SiqError("STORE_UNAVAILABLE", `cannot reach PostgreSQL: ${(cause as Error).message}`, { cause });
  }
  const run = async <T extends Row>(client: pg.Pool | pg.PoolClient, sql: string, params?: unknown[]) =>
    (await client.query(sql, params)).rows as T[];
  return {
    kind: "postgres",
    query: (sql, params) => run(pool, sql, params),
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const out = await fn({ query: (sql, params) => run(client, sql, params) });
        await client.query("COMMIT");
        return out;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => {});
        throw e;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

async function openPglite(opts: DbOptions): Promise<Db> {
  const { PGlite } = await import("@electric-sql/pglite");
  const inMemory = opts.url === "memory://" || opts.url === "";
  if (!inMemory) mkdirSync(opts.url, { recursive: true });
  const db = inMemory ? new PGlite() : new PGlite(opts.url);
  await db.waitReady;
  const fix = <T extends Row>(rows: unknown[]): T[] => rows.map((r) => toBuffers(r as Row) as T);
  return {
    kind: "pglite",
    query: async (sql, params) => fix((await db.query(sql, params)).rows),
    tx: (fn) =>
      db.transaction(async (t) => fn({ query: async (sql, params) => fix((await t.query(sql, params)).rows) })),
    close: () => db.close(),
  };
}

function toBuffers(row: Row): Row {
  for (const k of Object.keys(row)) {
    const v = row[k];
    if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[k] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  return row;
}
