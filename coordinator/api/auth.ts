/**
 * Who is asking: `Authorization: Bearer <key>`, matched by SHA-256 against the
 * agents' keys (each issued for the agent ids it may act for), the tenants'
 * approvers' keys, the auditors' and the operators' keys. A route admits agents,
 * auditors, approvers, operators, or agents and auditors; a known key of the
 * wrong role gets a 403. People signed in with a JWT are `user` principals (./user-auth.ts).
 * Agent keys an organisation made through the API (`siq_live_…`) are looked up
 * in the store on every request (`StoredKeys`), so revoking one holds at once.
 */
import { mayActFor } from "../../lib/agent-ids.ts";
import { sha256Hex, SiqError, type Auth, type Role } from "../../protocol/index.ts";

/** A signed-in person (an operator account's access token; see ../accounts/). */
export interface UserPrincipal {
  role: "user";
  userId: string;
  orgId: string;
  userRole: Role;
  sessionId: string;
}

export { mayActFor };

export type Principal =
  | { role: "agent"; tenant: string; agent_ids: readonly string[]; key_id?: string }
  | { role: "auditor"; auditor: string }
  | { role: "approver"; tenant: string; approver: string }
  | { role: "operator"; operator: string }
  | UserPrincipal;

interface Keyed {
  id: string;
  api_key_sha256: readonly string[];
}

/** A tenant's keys: agent keys with their agent ids (exact, or a prefix ending in `*`), and approvers. */
export interface TenantKeys {
  id: string;
  keys: readonly { sha256: string; agent_ids: readonly string[] }[];
  approvers?: readonly Keyed[];
}

/** A 403 unless the agent key behind `principal` was issued for `agentId`. */
export function requireAgent(principal: Principal | undefined, agentId: string | undefined): void {
  if (agentId === undefined || principal?.role !== "agent") return;
  if (!mayActFor(principal.agent_ids, agentId))
    throw new SiqError("AGENT_NOT_ALLOWED", `this API key is not issued for agent ${agentId}`);
}

/** Keys kept as data (an organisation's agent keys): which tokens they are, and whom one stands for now. */
export interface StoredKeys {
  owns(token: string): boolean;
  find(token: string): Promise<Principal | undefined>;
}

const bearer = (header: string | undefined): string => {
  const m = /^Bearer\s+(\S{16,256})$/i.exec(header ?? "");
  if (!m) throw new SiqError("UNAUTHENTICATED", "send Authorization: Bearer <api_key>");
  return m[1]!;
};

export class ApiKeys {
  readonly #byHash: Map<string, Principal>;
  readonly #stored: StoredKeys | undefined;

  constructor(
    tenants: readonly TenantKeys[],
    auditors: readonly Keyed[] = [],
    operators: readonly Keyed[] = [],
    stored?: StoredKeys,
  ) {
    this.#stored = stored;
    const entries: [string, Principal][] = [];
    for (const t of tenants) {
      for (const k of t.keys) entries.push([k.sha256, { role: "agent", tenant: t.id, agent_ids: k.agent_ids }]);
      for (const a of t.approvers ?? [])
        for (const h of a.api_key_sha256) entries.push([h, { role: "approver", tenant: t.id, approver: a.id }]);
    }
    for (const a of auditors) for (const h of a.api_key_sha256) entries.push([h, { role: "auditor", auditor: a.id }]);
    for (const o of operators)
      for (const h of o.api_key_sha256) entries.push([h, { role: "operator", operator: o.id }]);
    this.#byHash = new Map(entries);
  }

  /** The principal for this Authorization header among the configured keys, or a 401. */
  principalFor(header: string | undefined): Principal {
    const p = this.#byHash.get(sha256Hex(bearer(header)));
    if (!p) throw new SiqError("UNAUTHENTICATED", "unknown API key");
    return p;
  }

  /** The principal for this header, configured or stored (a stored key is checked now: revoked or rotated is a 401). */
  async principal(header: string | undefined): Promise<Principal> {
    const token = bearer(header);
    if (!this.#stored?.owns(token)) return this.principalFor(header);
    // Not found (unknown, rotated or revoked): a configured key of that form still counts, nothing else.
    return (await this.#stored.find(token)) ?? this.principalFor(header);
  }

  /** `authorize` for configured and stored keys alike (what the server calls). */
  async authorizeRequest(auth: Exclude<Auth, "none" | "user">, header: string | undefined): Promise<Principal> {
    return this.#admit(auth, await this.principal(header));
  }

  /** The principal, if its role may use a route with this `auth`; 401 or 403 otherwise (configured keys). */
  authorize(auth: Exclude<Auth, "none" | "user">, header: string | undefined): Principal {
    return this.#admit(auth, this.principalFor(header));
  }

  #admit(auth: Exclude<Auth, "none" | "user">, p: Principal): Principal {
    const allowed = auth === "any" ? p.role === "agent" || p.role === "auditor" : p.role === auth;
    if (!allowed)
      throw new SiqError("FORBIDDEN", `this route is for ${ROLE_NAMES[auth]}; a key of ${p.role} cannot use it`);
    return p;
  }

  /** The tenant id for an agent's Authorization header (401 unknown, 403 not an agent). */
  tenantFor(header: string | undefined): string {
    const p = this.authorize("agent", header);
    return p.role === "agent" ? p.tenant : "";
  }
}

const ROLE_NAMES: Record<Exclude<Auth, "none" | "user">, string> = {
  agent: "agents",
  auditor: "auditors",
  approver: "approvers of the organisation",
  operator: "operators",
  any: "agents and auditors",
};
