/**
 * Real stores for tests: PGlite in memory, and PostgreSQL at DATABASE_URL in
 * a schema of its own (dropped afterwards). `storeKinds()` lists what this
 * machine can run, so every store test runs on both where both exist.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDb, type Db } from "../../lib/db.ts";

export type StoreKind = "pglite" | "postgres";

export function storeKinds(): StoreKind[] {
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export interface TestStore {
  kind: StoreKind;
  url: string;
  schema: string | undefined;
  open(): Promise<Db>;
  drop(): Promise<void>;
}

export function testStore(kind: StoreKind): TestStore {
  if (kind === "pglite") {
    // One in-memory PGlite per open(): share it by keeping the first Db.
    let db: Db | undefined;
    return {
      kind,
      url: "memory://",
      schema: undefined,
      open: async () => (db ??= await openDb({ url: "memory://" })),
      drop: async () => {
        await db?.close().catch(() => {});
      },
    };
  }
  const url = process.env.DATABASE_URL!;
  const schema = `t_${randomBytes(6).toString("hex")}`;
  return {
    kind,
    url,
    schema,
    open: () => openDb({ url, schema }),
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}
