/**
 * The privacy routes' scenarios for coordinator/api/routes.inject.test.ts: an
 * organisation pays as agent-p, exports it, erases it (its entries become
 * tombstones, the export is then empty), and another organisation can neither
 * erase nor export it (404); a viewer gets 403; the retention policy round-trips.
 */
import { expect } from "vitest";
import type { KeyScenarioContext } from "./key-scenarios.ts";
import { linkToken } from "./operators.ts";

type Name =
  | Parameters<KeyScenarioContext["call"]>[0]
  | "privacyErase"
  | "privacyExport"
  | "privacyRetentionGet"
  | "privacyRetentionSet";
type Route = "privacyErase" | "privacyExport" | "privacyRetentionGet" | "privacyRetentionSet";
export interface PrivacyScenarioContext extends Omit<KeyScenarioContext, "call" | "refused"> {
  call(
    name: Name,
    c?: { params?: Record<string, string>; body?: unknown; key?: string | null; query?: Record<string, string> },
  ): Promise<any>;
  refused(name: Name, c: object, status: number, code: string): Promise<unknown>;
}

const PASSWORD = "correct horse battery";

export function privacyScenarios(x: PrivacyScenarioContext): Record<Route, () => Promise<void>> {
  const s = { owner: "", other: "" };
  const newOwner = async (email: string, organization: string) => {
    const seen = x.mail().mails.length;
    await x.call("authRegister", { body: { email, password: PASSWORD, organization } });
    const t = linkToken(
      await x.mail().waitFor(email, { subject: /verify/i, after: seen }),
      x.url(),
      "/auth/verify-email",
    );
    expect((await x.call("authVerifyEmail", { body: { token: t } })).status).toBe(200);
    return (await x.call("authLogin", { body: { email, password: PASSWORD } })).body.access_token as string;
  };
  const subject = { kind: "agent", id: "agent-p" };
  return {
    privacyErase: async () => {
      s.owner = await newOwner("owner@privacy.test", "Privacy A");
      s.other = await newOwner("owner@privacy-b.test", "Privacy B");
      const key = await x.call("keysCreate", { key: s.owner, body: { name: "p", agent_ids: ["agent-p"] } });
      const paid = await x.call("createPayment", { key: key.body.api_key, body: x.payment({ agent_id: "agent-p" }) });
      expect(paid.status).toBe(200);
      const held = await x.call("privacyExport", { key: s.owner, query: subject });
      expect(held.body.payments.map((p: { payment_id: string }) => p.payment_id)).toEqual([paid.body.payment_id]);
      await x.refused("privacyErase", { key: s.other, params: subject }, 404, "NOT_FOUND");
      await x.refused("privacyErase", { key: s.owner, params: { kind: "planet", id: "x" } }, 400, "INVALID_REQUEST");
      await x.refused("privacyErase", { key: null, params: subject }, 401, "UNAUTHENTICATED");
      const r = await x.call("privacyErase", { key: s.owner, params: subject });
      expect(r.status).toBe(200);
      expect(r.body.entries_redacted.length).toBeGreaterThan(0);
      expect(JSON.stringify(r.body)).not.toContain("agent-p");
    },
    privacyExport: async () => {
      const r = await x.call("privacyExport", { key: s.owner, query: subject });
      expect(r.body).toMatchObject({ payments: [], events: [], log_entries: [] });
      await x.refused("privacyExport", { key: s.other, query: subject }, 404, "NOT_FOUND");
      await x.refused("privacyExport", { key: x.apiKey(), query: subject }, 403, "FORBIDDEN");
    },
    privacyRetentionGet: async () => {
      const r = await x.call("privacyRetentionGet", { key: s.owner });
      expect(r.body).toEqual({ operational_days: null, events_days: null, requests_days: null });
      await x.refused("privacyRetentionGet", { key: null }, 401, "UNAUTHENTICATED");
    },
    privacyRetentionSet: async () => {
      const body = { operational_days: 30, events_days: 90, requests_days: 7 };
      expect((await x.call("privacyRetentionSet", { key: s.owner, body })).body).toEqual(body);
      expect((await x.call("privacyRetentionGet", { key: s.owner })).body).toEqual(body);
      expect((await x.call("privacyRetentionGet", { key: s.other })).body.operational_days).toBeNull();
      await x.refused(
        "privacyRetentionSet",
        { key: s.owner, body: { ...body, events_days: 0 } },
        400,
        "INVALID_REQUEST",
      );
    },
  };
}
