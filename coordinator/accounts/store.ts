/** The accounts' SQL. Every read of people takes the caller's organisation: another one's ids are not found. */
import type { Db, Queryable } from "../../lib/db.ts";
import type { Role, UserView } from "../../protocol/index.ts";
import { newId, tokenHash } from "./secrets.ts";

export type UserRow = {
  id: string;
  org_id: string;
  org_name: string;
  /** The tenant the organisation's agents act as (its own id unless configuration names one). */
  org_tenant: string;
  email: string;
  password_hash: string;
  role: Role;
  display_name: string | null;
  email_verified: boolean;
  active: boolean;
  token_version: number;
  created_at: Date;
};

/** What a mailed token is for; "login" completes a login the validator network stepped up (step-up.ts). */
export type LinkPurpose = "verify" | "reset" | "invite" | "login";

export type LinkRow = {
  purpose: LinkPurpose;
  org_id: string;
  org_name: string;
  user_id: string | null;
  email: string;
  role: Role | null;
  expires_at: Date;
};

const USER = `SELECT u.*, o.name AS org_name, COALESCE(o.tenant_id, o.id) AS org_tenant
  FROM siq_users u JOIN siq_orgs o ON o.id = u.org_id`;

export function userView(u: UserRow): UserView {
  return {
    id: u.id,
    email: u.email,
    display_name: u.display_name,
    role: u.role,
    organization: { id: u.org_id, name: u.org_name },
    email_verified: u.email_verified,
    active: u.active,
    created_at: new Date(u.created_at).toISOString(),
  };
}

export class AccountStore {
  readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  async byEmail(email: string): Promise<UserRow | undefined> {
    return (await this.db.query<UserRow>(`${USER} WHERE u.email = $1`, [email]))[0];
  }

  /** A person of this organisation (undefined for another organisation's id). */
  async inOrg(orgId: string, userId: string, q: Queryable = this.db): Promise<UserRow | undefined> {
    return (await q.query<UserRow>(`${USER} WHERE u.org_id = $1 AND u.id = $2`, [orgId, userId]))[0];
  }

  listOrg(orgId: string): Promise<UserRow[]> {
    return this.db.query<UserRow>(`${USER} WHERE u.org_id = $1 ORDER BY u.created_at, u.id`, [orgId]);
  }

  async createOrg(q: Queryable, name: string): Promise<string> {
    const id = newId("org");
    await q.query(`INSERT INTO siq_orgs (id, name) VALUES ($1, $2)`, [id, name]);
    return id;
  }

  /** The config tenant the organisation's agent keys act as (configuration only: `sentineliq dev`'s organisation). */
  async setTenant(q: Queryable, orgId: string, tenant: string): Promise<void> {
    await q.query(`UPDATE siq_orgs SET tenant_id = $2 WHERE id = $1`, [orgId, tenant]);
  }

  /** A new person, or undefined when the address already has an account. */
  async createUser(
    q: Queryable,
    u: { orgId: string; email: string; passwordHash: string; role: Role; verified: boolean },
  ): Promise<string | undefined> {
    const id = newId("usr");
    const rows = await q.query(
      `INSERT INTO siq_users (id, org_id, email, password_hash, role, email_verified)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING RETURNING id`,
      [id, u.orgId, u.email, u.passwordHash, u.role, u.verified],
    );
    return rows.length ? id : undefined;
  }

  /** The organisation's active owners, locked until the transaction ends (so two demotions cannot race). */
  async lockOwners(q: Queryable, orgId: string): Promise<string[]> {
    const rows = await q.query<{ id: string }>(
      `SELECT id FROM siq_users WHERE org_id = $1 AND role = 'owner' AND active ORDER BY id FOR UPDATE`,
      [orgId],
    );
    return rows.map((r) => r.id);
  }

  async setRole(q: Queryable, orgId: string, userId: string, role: Role): Promise<void> {
    await q.query(`UPDATE siq_users SET role = $3 WHERE org_id = $1 AND id = $2`, [orgId, userId, role]);
  }

  async org(orgId: string): Promise<{ id: string; name: string; created_at: Date; members: number } | undefined> {
    const rows = await this.db.query<{ id: string; name: string; created_at: Date; members: string | number }>(
      `SELECT o.id, o.name, o.created_at,
         (SELECT count(*) FROM siq_users u WHERE u.org_id = o.id AND u.active) AS members
       FROM siq_orgs o WHERE o.id = $1`,
      [orgId],
    );
    return rows[0] && { ...rows[0], members: Number(rows[0].members) };
  }

  async renameOrg(orgId: string, name: string): Promise<void> {
    await this.db.query(`UPDATE siq_orgs SET name = $2 WHERE id = $1`, [orgId, name]);
  }

  async setDisplayName(orgId: string, userId: string, name: string): Promise<void> {
    await this.db.query(`UPDATE siq_users SET display_name = $3 WHERE org_id = $1 AND id = $2`, [orgId, userId, name]);
  }

  async markVerified(q: Queryable, userId: string): Promise<void> {
    await q.query(`UPDATE siq_users SET email_verified = true WHERE id = $1`, [userId]);
  }

  /** A new password: every token of the person stops working, every session ends. */
  async setPassword(q: Queryable, userId: string, passwordHash: string): Promise<void> {
    await q.query(
      `UPDATE siq_users SET password_hash = $2, email_verified = true, token_version = token_version + 1 WHERE id = $1`,
      [userId, passwordHash],
    );
    await this.revokeSessionsOf(q, userId, "password_reset");
  }

  /** Deactivates a person: their access tokens (token_version) and sessions end at once. */
  async deactivate(orgId: string, userId: string): Promise<void> {
    await this.db.tx(async (q) => {
      await q.query(
        `UPDATE siq_users SET active = false, deactivated_at = coalesce(deactivated_at, now()),
           token_version = token_version + 1 WHERE org_id = $1 AND id = $2 AND active`,
        [orgId, userId],
      );
      await this.revokeSessionsOf(q, userId, "deactivated");
    });
  }

  async revokeSessionsOf(q: Queryable, userId: string, reason: string): Promise<void> {
    await q.query(
      `UPDATE siq_sessions SET revoked_at = now(), revoked_reason = $2 WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId, reason],
    );
  }

  /** Stores a mailed token's hash; it works once, until `ttlSeconds` from now. */
  async addLink(
    q: Queryable,
    token: string,
    l: { purpose: LinkPurpose; orgId: string; userId?: string; email: string; role?: Role; ttlSeconds: number },
  ): Promise<Date> {
    const expires = new Date(Date.now() + l.ttlSeconds * 1000);
    await q.query(
      `INSERT INTO siq_link_tokens (token_sha256, purpose, org_id, user_id, email, role, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [tokenHash(token), l.purpose, l.orgId, l.userId ?? null, l.email, l.role ?? null, expires.toISOString()],
    );
    return expires;
  }

  /** Uses a mailed token up: its row when it was unused and in date, else undefined (atomic). */
  async consumeLink(q: Queryable, token: string, purpose: LinkPurpose): Promise<LinkRow | undefined> {
    const rows = await q.query<LinkRow>(
      `UPDATE siq_link_tokens t SET used_at = now() FROM siq_orgs o
       WHERE t.token_sha256 = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > now() AND o.id = t.org_id
       RETURNING t.purpose, t.org_id, o.name AS org_name, t.user_id, t.email, t.role, t.expires_at`,
      [tokenHash(token), purpose],
    );
    return rows[0];
  }
}
