/**
 * Identity bound to keys, against a running network: an API key acts only for
 * the agent ids it was issued for (a renamed agent_id is a 403, for payments,
 * events and challenge answers), and a custody wallet is spent only by the
 * agents of its tenant it is bound to: refused at submission, and again by the
 * settler should an order for it reach the bus anyway.
 */
import { getAddressDecoder } from "@solana/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Signer } from "../protocol/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";
import { startedRig, type StartedRig } from "./helpers/settlement.ts";

const AGENT_8_KEY = "siq_test_agent_8_only_0123456789";

describe("identity bound to keys", () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({
      store: "pglite",
      agentIds: ["agent-7", "agent-8", "fleet-*"],
      // The agent's custody wallet: agent-7's alone.
      settlement: { backend: "none" },
      walletAgentIds: ["agent-7"],
      extraKeys: [{ key: AGENT_8_KEY, agent_ids: ["agent-8"] }],
    });
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("decides payments of the agents the key was issued for", async () => {
    for (const agent_id of ["agent-7", "fleet-3"]) {
      const res = await net.post(net.payment({ agent_id, ...(agent_id === "agent-7" ? {} : { sender: other() }) }));
      expect(res.status, agent_id).toBe(200);
      expect(res.body.decision).toBe("approve");
    }
  });

  it("refuses a renamed agent_id with 403 and error_details, recording nothing", async () => {
    const before = await count();
    for (const agent_id of ["agent-9", "agent-77", "fleet"]) {
      const res = await net.post(net.payment({ agent_id, sender: other() }));
      expect(res.status, agent_id).toBe(403);
      expect(res.body.error_details).toMatchObject({ code: "AGENT_NOT_ALLOWED", message: expect.any(String) });
    }
    expect(await count()).toBe(before);
  });

  it("refuses an answer to another agent's challenge from a key issued for agent-8 only", async () => {
    const high = net.payment({ amount: "25000.00", trace_context: { purpose: "pay invoice INV-7781" } });
    const first = await net.post(high);
    expect(first.body.status).toBe("challenged");
    const ch = first.body.challenge;
    const answer = { challenge_id: ch.challenge_id, nonce: ch.nonce, responses: { purpose: "x".repeat(8) } };
    const res = await net.respond(first.body.payment_id, answer, AGENT_8_KEY);
    expect(res.status).toBe(403);
    expect(res.body.error_details.code).toBe("AGENT_NOT_ALLOWED");
    expect((await net.post(net.payment({ agent_id: "agent-8", sender: other() }), AGENT_8_KEY)).status).toBe(200);
    expect((await net.post(net.payment({ agent_id: "agent-7", sender: other() }), AGENT_8_KEY)).status).toBe(403);
  });

  it("refuses an event posted against another agent", async () => {
    const event = { event_id: "ev-renamed", kind: "password_change", ip: "203.0.113.7" };
    const res = await net.request("POST", "/v1/events", { ...event, agent_id: "agent-trusted" });
    expect(res.status).toBe(403);
    expect(res.body.error_details.code).toBe("AGENT_NOT_ALLOWED");
    expect((await net.request("POST", "/v1/events", { ...event, agent_id: "agent-8" })).status).toBe(200);
  });

  it("refuses a custody wallet the agent may not spend: another agent of the tenant, or another tenant", async () => {
    const mine = await net.post(net.payment({ agent_id: "agent-7" }));
    expect(mine.status).toBe(200);
    const before = await count();
    const sibling = await net.post(net.payment({ agent_id: "agent-8" }));
    expect(sibling.status).toBe(403);
    expect(sibling.body.error_details).toMatchObject({ code: "WALLET_NOT_ALLOWED" });
    const foreign = await net.post(net.payment({ agent_id: "agent-7" }), net.apiKey + "-b");
    expect(foreign.status).toBe(403);
    expect(foreign.body.error_details.code).toBe("WALLET_NOT_ALLOWED");
    expect(await count()).toBe(before);
  });

  const count = async () => (await net.db.query<{ n: number }>("SELECT count(*)::int AS n FROM siq_payments"))[0]!.n;
  /** A sender nobody holds a key for (not custody: the simulated ledger settles debug payments). */
  const other = () => getAddressDecoder().decode(Signer.generate().signer.publicKey);
});

describe("the settler checks custody again before it signs", () => {
  let started: StartedRig;
  beforeAll(async () => {
    started = await startedRig("pglite");
  }, 120_000);
  afterAll(async () => {
    await started?.rig.stop();
  });

  it("fails an order naming a custody wallet of another tenant or agent, and moves nothing", async () => {
    const { rig, running } = started;
    for (const who of [{ tenant_id: "tenant-b" }, { agent_id: undefined }]) {
      const order = rig.order({ amount: "1", currency: "SOL", ...who });
      const outcome = await running.settler.process(order);
      expect(outcome).toMatchObject({ status: "failed", error_details: { code: "WALLET_NOT_ALLOWED" } });
      expect(started.lamportsOf(order.receiver)).toBe(0n);
      expect(await rig.txCount(order.payment_id)).toBe(0);
    }
    // The tenant's own agent still settles.
    const ok = await started.submit(rig.order({ amount: "1", currency: "SOL" }));
    expect(ok).toMatchObject({ status: "settled" });
  });
});
