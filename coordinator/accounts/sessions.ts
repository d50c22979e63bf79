/**
 * Sessions: one per login. Its refresh tokens are opaque, stored as SHA-256,
 * and work once: each use returns a new one. A used one coming back means a
 * copy is loose, so the whole session is revoked (the newer refresh tokens
 * and the access tokens naming it). Every access token is checked against the
 * person and the session on every request, so deactivation, logout and a
 * replay take effect at once.
 */
import type { Db } from "../../lib/db.ts";
import { SiqError, type Role, type TokenPair } from "../../protocol/index.ts";
import { newId, newToken, tokenHash } from "./secrets.ts";
import type { SigningKeys } from "./signing-keys.ts";

/** A signed-in person, as the API sees them. */
export interface Person {
  role: "user";
  userId: string;
  orgId: string;
  userRole: Role;
  sessionId: string;
}

type RefreshRow = {
  session_id: string;
  user_id: string;
  org_id: string;
  token_version: number;
  active: boolean;
  used_at: Date | null;
  expires_at: Date;
  revoked_at: Date | null;
};

export class Sessions {
  readonly #db: Db;
  readonly #keys: SigningKeys;
  readonly #o: { accessTtlSeconds: number; refreshTtlSeconds: number };

  constructor(db: Db, keys: SigningKeys, opts: { accessTtlSeconds: number; refreshTtlSeconds: number }) {
    this.#db = db;
    this.#keys = keys;
    this.#o = opts;
  }

  /** A new session for a person who just proved their password. */
  async open(u: { id: string; org_id: string; token_version: number }): Promise<TokenPair> {
    const sid = newId("ses");
    const refresh = newToken();
    await this.#db.tx(async (q) => {
      await q.query(`INSERT INTO siq_sessions (id, user_id) VALUES ($1, $2)`, [sid, u.id]);
      await q.query(`INSERT INTO siq_refresh_tokens (token_sha256, session_id, expires_at) VALUES ($1, $2, $3)`, [
        tokenHash(refresh),
        sid,
        this.#refreshExpiry(),
      ]);
    });
    return this.#pair(u, sid, refresh);
  }

  /** Trades a refresh token for a new pair, once; a replay revokes the session (and answers 401). */
  async refresh(token: string): Promise<TokenPair> {
    const next = newToken();
    const outcome = await this.#db.tx(async (q) => {
      const row = (
        await q.query<RefreshRow>(
          `SELECT r.session_id, r.used_at, r.expires_at, s.revoked_at, u.id AS user_id, u.org_id, u.token_version, u.active
           FROM siq_refresh_tokens r JOIN siq_sessions s ON s.id = r.session_id JOIN siq_users u ON u.id = s.user_id
           WHERE r.token_sha256 = $1 FOR UPDATE OF r, s`,
          [tokenHash(token)],
        )
      )[0];
      if (!row) return { refused: "INVALID_TOKEN" as const };
      if (row.used_at !== null) {
        await q.query(
          `UPDATE siq_sessions SET revoked_at = coalesce(revoked_at, now()), revoked_reason = coalesce(revoked_reason, 'refresh_reused') WHERE id = $1`,
          [row.session_id],
        );
        return { refused: "REFRESH_TOKEN_REUSED" as const };
      }
      if (row.revoked_at !== null || !row.active || new Date(row.expires_at).getTime() <= Date.now())
        return { refused: "INVALID_TOKEN" as const };
      await q.query(`UPDATE siq_refresh_tokens SET used_at = now() WHERE token_sha256 = $1`, [tokenHash(token)]);
      await q.query(`INSERT INTO siq_refresh_tokens (token_sha256, session_id, expires_at) VALUES ($1, $2, $3)`, [
        tokenHash(next),
        row.session_id,
        this.#refreshExpiry(),
      ]);
      return { row, refused: undefined };
    });
    // Outside the transaction, so that a replay's revocation is committed before the refusal.
    if (outcome.refused !== undefined) {
      const reused = outcome.refused === "REFRESH_TOKEN_REUSED";
      throw new SiqError(
        outcome.refused,
        reused
          ? "this refresh token was already used: the session is revoked; log in again"
          : "the refresh token is unknown, expired or revoked; log in again",
      );
    }
    const { row } = outcome;
    return this.#pair({ id: row.user_id, org_id: row.org_id, token_version: row.token_version }, row.session_id, next);
  }

  /** Ends the session of this refresh token (used or not); an unknown token changes nothing. */
  async logout(token: string): Promise<void> {
    await this.#db.query(
      `UPDATE siq_sessions SET revoked_at = now(), revoked_reason = 'logout'
       WHERE revoked_at IS NULL AND id = (SELECT session_id FROM siq_refresh_tokens WHERE token_sha256 = $1)`,
      [tokenHash(token)],
    );
  }

  /** The person behind an access token, checked against the store now; INVALID_TOKEN otherwise. */
  async authenticate(token: string): Promise<Person> {
    const c = await this.#keys.verify(token);
    const row = (
      await this.#db.query<{ role: Role; active: boolean; token_version: number; revoked_at: Date | null }>(
        `SELECT u.role, u.active, u.token_version, s.revoked_at FROM siq_users u JOIN siq_sessions s ON s.user_id = u.id
         WHERE u.id = $1 AND u.org_id = $2 AND s.id = $3`,
        [c.sub, c.org, c.sid],
      )
    )[0];
    if (!row || !row.active || row.token_version !== c.ver || row.revoked_at !== null)
      throw new SiqError("INVALID_TOKEN", "the access token was revoked (logout, deactivation or reset); log in again");
    return { role: "user", userId: c.sub, orgId: c.org, userRole: row.role, sessionId: c.sid };
  }

  async #pair(u: { id: string; org_id: string; token_version: number }, sid: string, refresh: string) {
    const access = await this.#keys.sign({ sub: u.id, org: u.org_id, sid, ver: u.token_version });
    return {
      access_token: access,
      refresh_token: refresh,
      token_type: "Bearer" as const,
      expires_in: this.#o.accessTtlSeconds,
    };
  }

  #refreshExpiry(): string {
    return new Date(Date.now() + this.#o.refreshTtlSeconds * 1000).toISOString();
  }
}
