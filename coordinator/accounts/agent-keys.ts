/**
 * Agent API keys as data: an owner or admin creates, lists, rotates and
 * revokes their organisation's keys; the API resolves a presented key here on
 * every request, so a rotation or revocation holds from the very next one.
 * A key is `siq_live_<key id>_<secret>`; only the secret's SHA-256 is stored
 * (the secret is 256 random bits, so a plain hash is enough). Every query takes
 * the organisation: another organisation's key ids are not found.
 */
import { randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import type { Db } from "../../lib/db.ts";
import {
  AGENT_KEY_FORMAT,
  AGENT_KEY_PREFIX,
  SiqError,
  type AgentKeyIssued,
  type AgentKeyView,
} from "../../protocol/index.ts";
import type { Principal } from "../api/index.ts";
import type { Person } from "./sessions.ts";
import { tokenHash } from "./secrets.ts";

type KeyRow = {
  id: string;
  org_id: string;
  name: string;
  agent_ids: string[];
  secret_sha256: string;
  created_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
};

/** What changed, by whom: the one place an admin trail hooks in (`onChange`). */
export interface KeyChange {
  action: "create" | "rotate" | "revoke";
  orgId: string;
  userId: string;
  key: AgentKeyView;
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const newKeyId = () => Array.from({ length: 8 }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
const newSecret = () => randomBytes(32).toString("base64url");
const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

function view(r: KeyRow): AgentKeyView {
  return {
    key_id: r.id,
    prefix: `${AGENT_KEY_PREFIX}${r.id}_`,
    name: r.name,
    agent_ids: r.agent_ids,
    status: r.revoked_at === null ? "active" : "revoked",
    created_at: new Date(r.created_at).toISOString(),
    rotated_at: iso(r.rotated_at),
    revoked_at: iso(r.revoked_at),
  };
}

function issued(r: KeyRow, secret: string): AgentKeyIssued {
  return {
    ...view(r),
    api_key: `${AGENT_KEY_PREFIX}${r.id}_${secret}`,
    message: "store this key now: it is shown only once, and only its hash is kept",
  };
}

export class AgentKeys {
  readonly #db: Db;
  readonly #onChange: (c: KeyChange) => void;

  constructor(db: Db, onChange: (c: KeyChange) => void = () => {}) {
    this.#db = db;
    this.#onChange = onChange;
  }

  async create(p: Person, b: { name: string; agent_ids: string[] }): Promise<AgentKeyIssued> {
    const secret = newSecret();
    for (;;) {
      const rows = await this.#db.query<KeyRow>(
        `INSERT INTO siq_agent_keys (id, org_id, name, agent_ids, secret_sha256, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING *`,
        [
          newKeyId(),
          p.orgId,
          b.name,
          JSON.stringify(b.agent_ids),
          tokenHash(secret),
          p.userId,
          new Date().toISOString(),
        ],
      );
      // A key id already taken (one in 2^41 per key): draw another.
      if (rows[0]) return this.#changed("create", p, rows[0], secret);
    }
  }

  async list(p: Person): Promise<{ keys: AgentKeyView[] }> {
    const rows = await this.#db.query<KeyRow>(
      `SELECT * FROM siq_agent_keys WHERE org_id = $1 ORDER BY created_at, id`,
      [p.orgId],
    );
    return { keys: rows.map(view) };
  }

  /** A new secret under the same key id; the old one is refused from now on. A revoked key stays revoked (409). */
  async rotate(p: Person, keyId: string): Promise<AgentKeyIssued> {
    const secret = newSecret();
    const rows = await this.#db.query<KeyRow>(
      `UPDATE siq_agent_keys SET secret_sha256 = $3, rotated_at = $4
       WHERE id = $1 AND org_id = $2 AND revoked_at IS NULL RETURNING *`,
      [keyId, p.orgId, tokenHash(secret), new Date().toISOString()],
    );
    if (rows[0]) return this.#changed("rotate", p, rows[0], secret);
    await this.#mine(p, keyId);
    throw new SiqError("CONFLICT", `key ${keyId} is revoked: create a new one`);
  }

  /** Revokes a key of the caller's organisation (404 for anyone else's); idempotent. */
  async revoke(p: Person, keyId: string): Promise<AgentKeyView> {
    const rows = await this.#db.query<KeyRow>(
      `UPDATE siq_agent_keys SET revoked_at = $3 WHERE id = $1 AND org_id = $2 AND revoked_at IS NULL RETURNING *`,
      [keyId, p.orgId, new Date().toISOString()],
    );
    if (rows[0]) return this.#changed("revoke", p, rows[0]);
    return view(await this.#mine(p, keyId));
  }

  /** Whether a presented token has the stored keys' form (and so is looked up here, not in the config). */
  owns(token: string): boolean {
    return token.startsWith(AGENT_KEY_PREFIX);
  }

  /** The agent behind a presented key, checked against the store now; undefined when unknown, rotated or revoked. */
  async find(token: string): Promise<Principal | undefined> {
    const m = AGENT_KEY_FORMAT.exec(token);
    if (!m) return undefined;
    const row = (
      await this.#db.query<{ secret_sha256: string; agent_ids: string[]; tenant: string }>(
        `SELECT k.secret_sha256, k.agent_ids, COALESCE(o.tenant_id, o.id) AS tenant
         FROM siq_agent_keys k JOIN siq_orgs o ON o.id = k.org_id WHERE k.id = $1 AND k.revoked_at IS NULL`,
        [m[1]],
      )
    )[0];
    if (!row) return undefined;
    const ok = timingSafeEqual(Buffer.from(row.secret_sha256, "hex"), Buffer.from(tokenHash(m[2]!), "hex"));
    return ok ? { role: "agent", tenant: row.tenant, agent_ids: row.agent_ids, key_id: m[1]! } : undefined;
  }

  async #mine(p: Person, keyId: string): Promise<KeyRow> {
    const row = (
      await this.#db.query<KeyRow>(`SELECT * FROM siq_agent_keys WHERE id = $1 AND org_id = $2`, [keyId, p.orgId])
    )[0];
    if (!row) throw new SiqError("NOT_FOUND", `no key ${keyId}`);
    return row;
  }

  /** Every create, rotate and revoke passes here: the hook for an admin trail. */
  #changed(action: "create" | "rotate", p: Person, row: KeyRow, secret: string): AgentKeyIssued;
  #changed(action: "revoke", p: Person, row: KeyRow): AgentKeyView;
  #changed(action: KeyChange["action"], p: Person, row: KeyRow, secret?: string): AgentKeyView | AgentKeyIssued {
    const key = view(row);
    this.#onChange({ action, orgId: p.orgId, userId: p.userId, key });
    return secret === undefined ? key : issued(row, secret);
  }
}
