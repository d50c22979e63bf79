/**
 * An organisation's own settings and its people's roles, changed by its owners and admins and recorded on the
 * audit trail (`user.role_changed`, `org.settings_changed`). Another organisation's ids are not found (404).
 */
import type { Trail } from "../log/index.ts";
import { SiqError, type OrgView, type Role, type UserView } from "../../protocol/index.ts";
import type { Person } from "./sessions.ts";
import { userView, type AccountStore } from "./store.ts";

/** Roles only an owner may grant or take away. */
const OWNER_ONLY: readonly Role[] = ["owner", "admin"];

export class OrgAdmin {
  readonly #store: AccountStore;
  readonly #trail: Trail;
  constructor(store: AccountStore, trail: Trail) {
    this.#store = store;
    this.#trail = trail;
  }

  /**
   * Gives a person of the caller's organisation a new role; it holds from their next request (roles are read
   * from the store on every request). Only an owner grants or takes owner or admin, and the last active owner
   * keeps the role. The same role again changes and records nothing.
   */
  async changeRole(p: Person, userId: string, role: Role): Promise<UserView> {
    const store = this.#store;
    const from = await store.db.tx(async (q) => {
      const owners = await store.lockOwners(q, p.orgId);
      const target = await store.inOrg(p.orgId, userId, q);
      if (!target) throw new SiqError("NOT_FOUND", `no person ${userId}`);
      if (target.role === role) return undefined;
      if (p.userRole !== "owner" && (OWNER_ONLY.includes(target.role) || OWNER_ONLY.includes(role)))
        throw new SiqError("FORBIDDEN", `only an owner can make someone ${role} or change a ${target.role}'s role`);
      if (target.role === "owner" && owners.length === 1 && owners[0] === target.id)
        throw new SiqError("CONFLICT", "the organisation's last owner stays owner: make someone else owner first");
      await store.setRole(q, p.orgId, userId, role);
      return target.role;
    });
    if (from !== undefined)
      await this.#trail.record({
        actor: { kind: "user", id: p.userId, org: p.orgId },
        action: "user.role_changed",
        target: { kind: "user", id: userId },
        org: p.orgId,
        details: { from, to: role },
      });
    return userView((await store.inOrg(p.orgId, userId))!);
  }

  async org(p: Person): Promise<OrgView> {
    const o = await this.#store.org(p.orgId);
    if (!o) throw new SiqError("INVALID_TOKEN", "no such organisation");
    return { id: o.id, name: o.name, created_at: new Date(o.created_at).toISOString(), members: o.members };
  }

  /** Renames the organisation (the settings it has); an unchanged name records nothing. */
  async updateOrg(p: Person, b: { name: string }): Promise<OrgView> {
    const before = await this.org(p);
    if (before.name === b.name) return before;
    await this.#store.renameOrg(p.orgId, b.name);
    await this.#trail.record({
      actor: { kind: "user", id: p.userId, org: p.orgId },
      action: "org.settings_changed",
      target: { kind: "org", id: p.orgId },
      org: p.orgId,
      details: { name_from: before.name.slice(0, 256), name: b.name.slice(0, 256) },
    });
    return this.org(p);
  }
}
