/** The account tables. Statements are idempotent; the same SQL runs on PostgreSQL and PGlite. */
import type { Db } from "../../lib/db.ts";

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS siq_orgs (
     id         text PRIMARY KEY,
     name       text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  // One account per address: login takes no organisation. token_version goes up when every token
  // of the person must stop working (deactivation, password reset).
  `CREATE TABLE IF NOT EXISTS siq_users (
     id             text PRIMARY KEY,
     org_id         text NOT NULL REFERENCES siq_orgs (id),
     email          text NOT NULL UNIQUE,
     password_hash  text NOT NULL,
     role           text NOT NULL,
     display_name   text,
     email_verified boolean NOT NULL DEFAULT false,
     active         boolean NOT NULL DEFAULT true,
     token_version  integer NOT NULL DEFAULT 0,
     created_at     timestamptz NOT NULL DEFAULT now(),
     deactivated_at timestamptz
   )`,
  `CREATE INDEX IF NOT EXISTS siq_users_org ON siq_users (org_id)`,
  // A session is one login: its refresh tokens form a family, and its access tokens name it (sid).
  `CREATE TABLE IF NOT EXISTS siq_sessions (
     id             text PRIMARY KEY,
     user_id        text NOT NULL REFERENCES siq_users (id),
     created_at     timestamptz NOT NULL DEFAULT now(),
     revoked_at     timestamptz,
     revoked_reason text
   )`,
  `CREATE INDEX IF NOT EXISTS siq_sessions_user ON siq_sessions (user_id)`,
  `CREATE TABLE IF NOT EXISTS siq_refresh_tokens (
     token_sha256 text PRIMARY KEY,
     session_id   text NOT NULL REFERENCES siq_sessions (id),
     expires_at   timestamptz NOT NULL,
     used_at      timestamptz,
     created_at   timestamptz NOT NULL DEFAULT now()
   )`,
  // Mailed tokens (verify, reset, invite): stored hashed, single use, expiring.
  `CREATE TABLE IF NOT EXISTS siq_link_tokens (
     token_sha256 text PRIMARY KEY,
     purpose      text NOT NULL,
     org_id       text NOT NULL REFERENCES siq_orgs (id),
     user_id      text,
     email        text NOT NULL,
     role         text,
     expires_at   timestamptz NOT NULL,
     used_at      timestamptz,
     created_at   timestamptz NOT NULL DEFAULT now()
   )`,
  // Access-token signing keys (Ed25519 JWKs). The newest signs; older ones verify until their tokens expire.
  `CREATE TABLE IF NOT EXISTS siq_jwt_keys (
     kid         text PRIMARY KEY,
     private_jwk jsonb NOT NULL,
     public_jwk  jsonb NOT NULL,
     created_at  timestamptz NOT NULL DEFAULT now()
   )`,
  // The config tenant an organisation's agents act as (payments, events, custody wallets); NULL: its own id.
  // Only configuration sets it (`sentineliq dev`'s organisation is the "dev" tenant).
  `ALTER TABLE siq_orgs ADD COLUMN IF NOT EXISTS tenant_id text UNIQUE`,
  // Agent API keys: `siq_live_<id>_<secret>`, the secret stored only as its SHA-256. Rotation replaces
  // the hash under the same id; revocation stamps revoked_at. Every read takes the organisation.
  `CREATE TABLE IF NOT EXISTS siq_agent_keys (
     id            text PRIMARY KEY,
     org_id        text NOT NULL REFERENCES siq_orgs (id),
     name          text NOT NULL,
     agent_ids     jsonb NOT NULL,
     secret_sha256 text NOT NULL,
     created_by    text NOT NULL,
     created_at    timestamptz NOT NULL DEFAULT now(),
     rotated_at    timestamptz,
     revoked_at    timestamptz
   )`,
  `CREATE INDEX IF NOT EXISTS siq_agent_keys_org ON siq_agent_keys (org_id)`,
  // The key of the hash that names an unknown address in login events (one row, made once).
  `CREATE TABLE IF NOT EXISTS siq_login_key (
     id     smallint PRIMARY KEY,
     secret text NOT NULL
   )`,
];

export async function migrateAccounts(db: Db): Promise<void> {
  for (const sql of STATEMENTS) await db.query(sql);
}
