/** The audit routes' handlers, over the registry service. */
import type { Handlers } from "../api/index.ts";
import type { AuditService } from "./service.ts";

type AuditRoutes = "auditSubmit" | "auditList" | "auditGet" | "auditApprove" | "auditRevoke";

export function auditHandlers(s: AuditService): Pick<Handlers, AuditRoutes> {
  const auditorId = (p: { role: string; auditor?: string } | undefined) => (p?.role === "auditor" ? p.auditor! : "");
  return {
    auditSubmit: async ({ tenant, body }) => ({ body: await s.submit(tenant, body) }),
    auditList: async ({ principal, query }) => ({ body: await s.list(principal!, query) }),
    auditGet: async ({ principal, params }) => ({ body: await s.get(principal!, params.code_hash) }),
    auditApprove: async ({ principal, params, body }) => ({
      body: await s.approve(auditorId(principal), params.code_hash, body.note, body.signed),
    }),
    auditRevoke: async ({ principal, params, body }) => ({
      body: await s.revoke(auditorId(principal), params.code_hash, body.reason, body.signed),
    }),
  };
}
