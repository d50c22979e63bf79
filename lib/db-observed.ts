/** A Db whose every query (inside transactions too) is timed: its statement's first keyword, seconds, success. */
import type { Db, Queryable, Row } from "./db.ts";

export type QueryObserver = (statement: string, seconds: number, ok: boolean) => void;

const KEYWORDS = new Set(["select", "insert", "update", "delete", "with", "create", "alter", "drop"]);

/** The statement's kind for a label: a known first keyword, or `other` (never the SQL itself). */
export function statementOf(sql: string): string {
  const word = /^\s*([A-Za-z]+)/.exec(sql)?.[1]?.toLowerCase() ?? "";
  return KEYWORDS.has(word) ? word : "other";
}

function timed(q: Queryable, observe: QueryObserver): Queryable["query"] {
  return async <T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]> => {
    const start = process.hrtime.bigint();
    let ok = false;
    try {
      const rows = await q.query<T>(sql, params);
      ok = true;
      return rows;
    } finally {
      observe(statementOf(sql), Number(process.hrtime.bigint() - start) / 1e9, ok);
    }
  };
}

export function observedDb(db: Db, observe: QueryObserver): Db {
  return {
    kind: db.kind,
    query: timed(db, observe),
    tx: (fn) => db.tx((q) => fn({ query: timed(q, observe) })),
    close: () => db.close(),
  };
}
