/**
 * The agent-key routes' scenarios for coordinator/api/routes.inject.test.ts:
 * an organisation of their own (owner, invited viewer) and a second one, a key
 * bound to one agent that pays as it and not as another, shown once, rotated
 * (the old secret refused at once) and revoked (the next request refused);
 * viewers get 403 and another organisation's key ids 404.
 */
import { expect } from "vitest";
import type { accountRoutes } from "../../protocol/index.ts";
import type { ScenarioContext } from "./account-scenarios.ts";
import { linkToken } from "./operators.ts";

type KeyRoute = "keysCreate" | "keysList" | "keysRotate" | "keysRevoke";
type Name = keyof typeof accountRoutes | "createPayment" | "getPayment";

export interface KeyScenarioContext extends Omit<ScenarioContext, "call" | "refused"> {
  call(name: Name, c?: { params?: Record<string, string>; body?: unknown; key?: string | null }): Promise<any>;
  refused(name: Name, c: object, status: number, code: string): Promise<unknown>;
  payment(o: { agent_id: string }): unknown;
}

const PASSWORD = "correct horse battery";

export function keyScenarios(x: KeyScenarioContext): Record<KeyRoute, () => Promise<void>> {
  const s = { owner: "", viewer: "", other: "", keyId: "", apiKey: "", paymentId: "", otherKeyId: "" };
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
    s.owner = await newOwner("owner@keys.test", "Keys A");
    s.other = await newOwner("owner@keys-b.test", "Keys B");
    const seen = x.mail().mails.length;
    await x.call("adminInvite", { key: s.owner, body: { email: "viewer@keys.test", role: "viewer" } });
    const t = await token("viewer@keys.test", /invited/i, "/auth/accept-invite", seen);
    await x.call("authRegister", { body: { email: "viewer@keys.test", password: PASSWORD, invitation_token: t } });
    s.viewer = await login("viewer@keys.test");
    const b = await x.call("keysCreate", { key: s.other, body: { name: "b", agent_ids: ["agent-x"] } });
    s.otherKeyId = b.body.key_id;
  };
  return {
    keysCreate: async () => {
      await setUp();
      const body = { name: "checkout", agent_ids: ["agent-x"] };
      const r = await x.call("keysCreate", { key: s.owner, body });
      expect(r.body).toMatchObject({ status: "active", agent_ids: ["agent-x"] });
      expect(r.body.api_key.startsWith(r.body.prefix)).toBe(true);
      s.keyId = r.body.key_id;
      s.apiKey = r.body.api_key;
      const paid = await x.call("createPayment", { key: s.apiKey, body: x.payment({ agent_id: "agent-x" }) });
      expect(paid.status).toBe(200);
      s.paymentId = paid.body.payment_id;
      await x.refused(
        "createPayment",
        { key: s.apiKey, body: x.payment({ agent_id: "agent-y" }) },
        403,
        "AGENT_NOT_ALLOWED",
      );
      // The payment belongs to the organisation: the config tenant's key does not see it.
      await x.refused("getPayment", { key: x.apiKey(), params: { payment_id: s.paymentId } }, 404, "NOT_FOUND");
      await x.refused("keysCreate", { key: s.viewer, body }, 403, "FORBIDDEN");
      await x.refused("keysCreate", { key: s.apiKey, body }, 403, "FORBIDDEN");
      await x.refused("keysCreate", { key: null, body }, 401, "UNAUTHENTICATED");
      await x.refused("keysCreate", { key: s.owner, body: { ...body, agent_ids: [] } }, 400, "INVALID_REQUEST");
      await x.refused(
        "keysCreate",
        { key: s.owner, body: { ...body, agent_ids: ["bad id!"] } },
        400,
        "INVALID_REQUEST",
      );
    },
    keysList: async () => {
      const r = await x.call("keysList", { key: s.owner });
      expect(r.body.keys.map((k: { key_id: string }) => k.key_id)).toEqual([s.keyId]);
      expect(JSON.stringify(r.body)).not.toContain(s.apiKey.slice(-43));
      await x.refused("keysList", { key: s.viewer }, 403, "FORBIDDEN");
      await x.refused("keysList", { key: null }, 401, "UNAUTHENTICATED");
    },
    keysRotate: async () => {
      const params = { key_id: s.keyId };
      await x.refused("keysRotate", { key: s.other, params }, 404, "NOT_FOUND");
      await x.refused("keysRotate", { key: s.owner, params: { key_id: s.otherKeyId } }, 404, "NOT_FOUND");
      await x.refused("keysRotate", { key: s.viewer, params }, 403, "FORBIDDEN");
      await x.refused("keysRotate", { key: s.owner, params: { key_id: "BAD" } }, 400, "INVALID_REQUEST");
      const r = await x.call("keysRotate", { key: s.owner, params });
      expect(r.body).toMatchObject({ key_id: s.keyId, status: "active" });
      const got = { params: { payment_id: s.paymentId } };
      await x.refused("getPayment", { ...got, key: s.apiKey }, 401, "UNAUTHENTICATED");
      s.apiKey = r.body.api_key;
      expect((await x.call("getPayment", { ...got, key: s.apiKey })).status).toBe(200);
    },
    keysRevoke: async () => {
      const params = { key_id: s.keyId };
      await x.refused("keysRevoke", { key: s.other, params }, 404, "NOT_FOUND");
      await x.refused("keysRevoke", { key: s.viewer, params }, 403, "FORBIDDEN");
      const r = await x.call("keysRevoke", { key: s.owner, params });
      expect(r.body).toMatchObject({ key_id: s.keyId, status: "revoked" });
      await x.refused("getPayment", { key: s.apiKey, params: { payment_id: s.paymentId } }, 401, "UNAUTHENTICATED");
      await x.refused("keysRotate", { key: s.owner, params }, 409, "CONFLICT");
    },
  };
}
