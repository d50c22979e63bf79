/**
 * The verdict log's tables (the same SQL on PostgreSQL and PGlite):
 * entries (append-only, but for erasure's tombstones), tiles (a tile may only grow: its stored hashes are a
 * prefix of what replaces them, and a full tile never changes) and signed
 * checkpoints (the log's memory of what it signed, so it never signs two
 * inconsistent ones).
 */
import type { Queryable } from "../../lib/db.ts";

export const LOG_STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS siq_log_entries (
     idx        bigint PRIMARY KEY,
     entry_key  text NOT NULL UNIQUE,
     entry_type text NOT NULL,
     payment_id text,
     entry      bytea NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE INDEX IF NOT EXISTS siq_log_entries_payment ON siq_log_entries (payment_id) WHERE payment_id IS NOT NULL`,
  `CREATE TABLE IF NOT EXISTS siq_log_tiles (
     level  integer NOT NULL,
     n      bigint NOT NULL,
     hashes bytea NOT NULL,
     PRIMARY KEY (level, n)
   )`,
  `CREATE TABLE IF NOT EXISTS siq_log_checkpoints (
     size          bigint PRIMARY KEY,
     root          bytea NOT NULL,
     signed_note   text NOT NULL,
     cosigned_note text,
     signed_at     timestamptz NOT NULL DEFAULT now(),
     published_at  timestamptz
   )`,
  `CREATE TABLE IF NOT EXISTS siq_log_alarms (
     id         bigserial PRIMARY KEY,
     kind       text NOT NULL,
     detail     jsonb NOT NULL,
     raised_at  timestamptz NOT NULL DEFAULT now()
   )`,
  // The one change an entry may see: erasure (coordinator/privacy) replaces its bytes by a tombstone that keeps
  // its leaf hash (protocol/log/erasure.ts), once; the key, the index and the tiles never change.
  `CREATE OR REPLACE FUNCTION siq_log_append_only() RETURNS trigger AS $$
   BEGIN
     IF TG_OP = 'UPDATE' AND NEW.idx = OLD.idx AND NEW.entry_key = OLD.entry_key
        AND OLD.entry_type <> 'sentineliq.redacted.v1' AND NEW.entry_type = 'sentineliq.redacted.v1'
        AND position(convert_to(encode(sha256('\\x00'::bytea || OLD.entry), 'base64'), 'UTF8') IN NEW.entry) > 0 THEN
       RETURN NEW;
     END IF;
     RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
   END $$ LANGUAGE plpgsql`,
  `CREATE OR REPLACE FUNCTION siq_log_tile_grows() RETURNS trigger AS $$
   BEGIN
     IF TG_OP = 'DELETE' OR length(OLD.hashes) >= 8192 OR length(NEW.hashes) < length(OLD.hashes)
        OR substring(NEW.hashes FROM 1 FOR length(OLD.hashes)) <> OLD.hashes THEN
       RAISE EXCEPTION 'siq_log_tiles: a tile only grows';
     END IF;
     RETURN NEW;
   END $$ LANGUAGE plpgsql`,
  `CREATE OR REPLACE FUNCTION siq_log_checkpoint_kept() RETURNS trigger AS $$
   BEGIN
     IF TG_OP = 'DELETE' OR NEW.root <> OLD.root OR NEW.signed_note <> OLD.signed_note THEN
       RAISE EXCEPTION 'siq_log_checkpoints: a signed checkpoint is kept as signed';
     END IF;
     RETURN NEW;
   END $$ LANGUAGE plpgsql`,
  trigger("siq_log_entries_append_only", "siq_log_entries", "UPDATE OR DELETE", "siq_log_append_only"),
  trigger("siq_log_tiles_grow_only", "siq_log_tiles", "UPDATE OR DELETE", "siq_log_tile_grows"),
  trigger("siq_log_checkpoints_kept", "siq_log_checkpoints", "UPDATE OR DELETE", "siq_log_checkpoint_kept"),
];

function trigger(name: string, table: string, events: string, fn: string): string {
  return `DO $$ BEGIN
     IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = '${name}' AND tgrelid = '${table}'::regclass) THEN
       CREATE TRIGGER ${name} BEFORE ${events} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${fn}();
     END IF;
   END $$`;
}

export async function migrateLog(db: Queryable): Promise<void> {
  for (const sql of LOG_STATEMENTS) await db.query(sql);
}
