/** The analytics API: an organisation's payment figures over time. */
import type { Db } from "../../lib/db.ts";
import { SiqError, type AnalyticsDashboard, type AnalyticsQuery } from "../../protocol/index.ts";
import type { Principal } from "../api/index.ts";
import { dashboard, tenantOfOrg } from "./dashboard.ts";

export { ANALYTICS_STATEMENTS } from "./dashboard.ts";

/** The dashboard for the caller's organisation: a person's (its tenant), or an agent key's tenant. */
export async function dashboardFor(
  db: Db,
  principal: Principal | undefined,
  q: AnalyticsQuery,
): Promise<AnalyticsDashboard> {
  const tenant =
    principal?.role === "user"
      ? await tenantOfOrg(db, principal.orgId)
      : principal?.role === "agent"
        ? principal.tenant
        : undefined;
  if (tenant === undefined)
    throw new SiqError("FORBIDDEN", "analytics are for an organisation's people and agent keys");
  return dashboard(db, tenant, q);
}
