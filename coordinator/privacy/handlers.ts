/** The privacy routes' handlers: an owner or admin acts on their own organisation's subjects only. */
import type { Db } from "../../lib/db.ts";
import { SiqError } from "../../protocol/index.ts";
import type { Handlers, Principal, UserPrincipal } from "../api/index.ts";
import type { Trail } from "../log/index.ts";
import type { Erasure } from "./erase.ts";
import { exportSubject } from "./export.ts";
import { getRetention, setRetention } from "./retention.ts";
import type { Subject } from "./subjects.ts";

type PrivacyHandlers = Pick<Handlers, "privacyErase" | "privacyExport" | "privacyRetentionGet" | "privacyRetentionSet">;

const person = (p: Principal | undefined): UserPrincipal => {
  if (p?.role !== "user") throw new SiqError("UNAUTHENTICATED", "log in first");
  return p;
};

/** The tenant an organisation's agents act as (its payments, events and log entries are under it). */
async function tenantOf(db: Db, org: string): Promise<string> {
  const rows = await db.query<{ tenant: string }>(
    "SELECT COALESCE(tenant_id, id) AS tenant FROM siq_orgs WHERE id = $1",
    [org],
  );
  if (!rows[0]) throw new SiqError("NOT_FOUND", "your organisation is gone");
  return rows[0].tenant;
}

/** `trail`: a changed retention policy is an organisation setting changed (`org.settings_changed`). */
export function privacyHandlers(db: Db, erasure: Erasure, trail: Trail): PrivacyHandlers {
  const subject = async (p: Principal | undefined, kind: Subject["kind"], id: string): Promise<Subject> => {
    const u = person(p);
    return { org: u.orgId, tenant: await tenantOf(db, u.orgId), kind, id };
  };
  return {
    privacyErase: async ({ principal, params }) => ({
      body: await erasure.erase(await subject(principal, params.kind, params.id), person(principal).userId),
    }),
    privacyExport: async ({ principal, query }) => ({
      body: await exportSubject(db, await subject(principal, query.kind, query.id)),
    }),
    privacyRetentionGet: async ({ principal }) => ({
      body: await getRetention(db, await tenantOf(db, person(principal).orgId)),
    }),
    privacyRetentionSet: async ({ principal, body }) => {
      const u = person(principal);
      const tenant = await tenantOf(db, u.orgId);
      const before = await getRetention(db, tenant);
      const after = await setRetention(db, tenant, body);
      if ((Object.keys(after) as (keyof typeof after)[]).some((k) => before[k] !== after[k]))
        await trail.record({
          actor: { kind: "user", id: u.userId, org: u.orgId },
          action: "org.settings_changed",
          target: { kind: "org", id: u.orgId },
          org: u.orgId,
          details: { setting: "retention", ...after },
        });
      return { body: after };
    },
  };
}
