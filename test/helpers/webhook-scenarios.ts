/**
 * The webhook routes' scenarios for coordinator/api/routes.inject.test.ts: an
 * organisation of its own (owner, invited viewer) and a second one. The
 * network keeps the default SSRF stance, so an endpoint names a public
 * address (never called successfully here: delivery itself is tested in
 * test/webhook-delivery.e2e.test.ts) and a loopback one is refused. A KP
 * payment by the organisation's own agent key makes a delivery to read and
 * replay; viewers and agent keys get 403, another organisation's ids 404.
 */
import { expect } from "vitest";
import type { accountRoutes, webhookRoutes } from "../../protocol/index.ts";
import type { ScenarioContext } from "./account-scenarios.ts";
import { linkToken } from "./operators.ts";

type WebhookRoute = keyof typeof webhookRoutes;
type Name = keyof typeof accountRoutes | WebhookRoute | "createPayment";

export interface WebhookScenarioContext extends Omit<ScenarioContext, "call" | "refused"> {
  call(name: Name, c?: { params?: Record<string, string>; body?: unknown; key?: string | null }): Promise<any>;
  refused(name: Name, c: object, status: number, code: string): Promise<unknown>;
  payment(o: { agent_id: string; metadata: Record<string, string> }): unknown;
}

const PASSWORD = "correct horse battery";
const PUBLIC_URL = "https://93.184.216.34/hooks/siq";

export function webhookScenarios(x: WebhookScenarioContext): Record<WebhookRoute, () => Promise<void>> {
  const s = { owner: "", viewer: "", other: "", webhookId: "", deliveryId: "" };
  const token = async (to: string, subject: RegExp, page: string, after: number) =>
    linkToken(await x.mail().waitFor(to, { subject, after }), x.url(), page);
  const login = async (email: string) =>
    (await x.call("authLogin", { body: { email, password: PASSWORD } })).body.access_token as string;
  const newOwner = async (email: string, organization: string) => {
    const seen = x.mail().mails.length;
    await x.call("authRegister", { body: { email, password: PASSWORD, organization } });
    const t = await token(email, /verify/i, "/auth/verify-email", seen);
    expect((await x.call("authVerifyEmail", { body: { token: t } })).status).toBe(200);
    return login(email);
  };
  const setUp = async () => {
    s.owner = await newOwner("owner@hooks.test", "Hooks A");
    s.other = await newOwner("owner@hooks-b.test", "Hooks B");
    const seen = x.mail().mails.length;
    await x.call("adminInvite", { key: s.owner, body: { email: "viewer@hooks.test", role: "viewer" } });
    const t = await token("viewer@hooks.test", /invited/i, "/auth/accept-invite", seen);
    await x.call("authRegister", { body: { email: "viewer@hooks.test", password: PASSWORD, invitation_token: t } });
    s.viewer = await login("viewer@hooks.test");
  };
  const body = { url: PUBLIC_URL, events: ["payment.rejected"] };
  return {
    webhooksCreate: async () => {
      await setUp();
      const r = await x.call("webhooksCreate", { key: s.owner, body });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ url: PUBLIC_URL, events: ["payment.rejected"], format: "sentineliq" });
      expect(r.body.secret).toMatch(/^whsec_/);
      s.webhookId = r.body.webhook_id;
      await x.refused("webhooksCreate", { key: s.viewer, body }, 403, "FORBIDDEN");
      await x.refused("webhooksCreate", { key: x.apiKey(), body }, 403, "FORBIDDEN");
      await x.refused("webhooksCreate", { key: null, body }, 401, "UNAUTHENTICATED");
      for (const url of [
        "http://127.0.0.1:8080/hook",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
      ])
        await x.refused("webhooksCreate", { key: s.owner, body: { ...body, url } }, 400, "WEBHOOK_URL_REFUSED");
      await x.refused("webhooksCreate", { key: s.owner, body: { ...body, events: [] } }, 400, "INVALID_REQUEST");
      await x.refused("webhooksCreate", { key: s.owner, body: { ...body, events: ["x.y"] } }, 400, "INVALID_REQUEST");
      await x.refused("webhooksCreate", { key: s.owner, body: { ...body, secret: "mine" } }, 400, "INVALID_REQUEST");
    },
    webhooksList: async () => {
      const r = await x.call("webhooksList", { key: s.owner });
      expect(r.body.webhooks.map((w: { webhook_id: string }) => w.webhook_id)).toEqual([s.webhookId]);
      expect(JSON.stringify(r.body)).not.toContain("whsec_");
      expect((await x.call("webhooksList", { key: s.other })).body.webhooks).toEqual([]);
      await x.refused("webhooksList", { key: s.viewer }, 403, "FORBIDDEN");
    },
    webhooksDelete: async () => {
      const extra = (await x.call("webhooksCreate", { key: s.owner, body })).body.webhook_id as string;
      await x.refused("webhooksDelete", { key: s.other, params: { webhook_id: extra } }, 404, "NOT_FOUND");
      await x.refused("webhooksDelete", { key: s.viewer, params: { webhook_id: extra } }, 403, "FORBIDDEN");
      const r = await x.call("webhooksDelete", { key: s.owner, params: { webhook_id: extra } });
      expect(r.body.webhook_id).toBe(extra);
      await x.refused("webhooksDelete", { key: s.owner, params: { webhook_id: extra } }, 404, "NOT_FOUND");
      await x.refused("webhooksDelete", { key: s.owner, params: { webhook_id: "nope" } }, 400, "INVALID_REQUEST");
    },
    webhooksDeliveries: async () => {
      const key = (await x.call("keysCreate", { key: s.owner, body: { name: "hooks", agent_ids: ["agent-w"] } })).body;
      const paid = await x.call("createPayment", {
        key: key.api_key,
        body: x.payment({ agent_id: "agent-w", metadata: { country_code: "KP" } }),
      });
      expect(paid.body.status).toBe("rejected");
      const params = { webhook_id: s.webhookId };
      const end = Date.now() + 20_000;
      for (;;) {
        const r = await x.call("webhooksDeliveries", { key: s.owner, params });
        const d = r.body.deliveries.find((e: { event_id: string }) => e.event_id.includes(paid.body.payment_id));
        if (d) {
          s.deliveryId = d.delivery_id;
          break;
        }
        if (Date.now() > end) throw new Error("no delivery recorded");
        await new Promise((res) => setTimeout(res, 100));
      }
      await x.refused("webhooksDeliveries", { key: s.other, params }, 404, "NOT_FOUND");
      await x.refused("webhooksDeliveries", { key: s.viewer, params }, 403, "FORBIDDEN");
    },
    webhooksReplay: async () => {
      const params = { delivery_id: s.deliveryId };
      const r = await x.call("webhooksReplay", { key: s.owner, params });
      expect(r.body).toMatchObject({ delivery_id: s.deliveryId, state: "pending", webhook_id: s.webhookId });
      await x.refused("webhooksReplay", { key: s.other, params }, 404, "NOT_FOUND");
      await x.refused("webhooksReplay", { key: s.viewer, params }, 403, "FORBIDDEN");
      await x.refused("webhooksReplay", { key: s.owner, params: { delivery_id: "dlv_nope" } }, 400, "INVALID_REQUEST");
    },
  };
}
