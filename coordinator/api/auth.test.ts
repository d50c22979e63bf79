/** Agent and auditor keys: who they are, and which routes they may use. */
import { describe, expect, it } from "vitest";
import { sha256Hex, SiqError } from "../../protocol/index.ts";
import { parseCoordinatorConfig } from "../config.ts";
import { ApiKeys, mayActFor, requireAgent } from "./auth.ts";

const agentKey = "siq_agent_key_0123456789";
const auditorKey = "siq_auditor_key_0123456789";
const approverKey = "siq_approver_key_0123456789";
const keys = new ApiKeys(
  [
    {
      id: "t1",
      keys: [{ sha256: sha256Hex(agentKey), agent_ids: ["agent-1", "fleet-*"] }],
      approvers: [{ id: "alice", api_key_sha256: [sha256Hex(approverKey)] }],
    },
  ],
  [{ id: "aud", api_key_sha256: [sha256Hex(auditorKey)] }],
);
const bearer = (k: string) => `Bearer ${k}`;
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as SiqError).code;
  }
  return "OK";
};

describe("ApiKeys", () => {
  it("tells agents from auditors", () => {
    expect(keys.principalFor(bearer(agentKey))).toEqual({
      role: "agent",
      tenant: "t1",
      agent_ids: ["agent-1", "fleet-*"],
    });
    expect(keys.principalFor(bearer(approverKey))).toEqual({ role: "approver", tenant: "t1", approver: "alice" });
    expect(keys.principalFor(bearer(auditorKey))).toEqual({ role: "auditor", auditor: "aud" });
  });

  it("gives 403 to a known key of the wrong role and 401 to an unknown or missing one", () => {
    expect(code(() => keys.authorize("auditor", bearer(agentKey)))).toBe("FORBIDDEN");
    expect(code(() => keys.authorize("agent", bearer(auditorKey)))).toBe("FORBIDDEN");
    expect(code(() => keys.authorize("any", bearer(auditorKey)))).toBe("OK");
    expect(code(() => keys.authorize("any", bearer("siq_unknown_000000000000")))).toBe("UNAUTHENTICATED");
    expect(code(() => keys.authorize("agent", undefined))).toBe("UNAUTHENTICATED");
    expect(keys.tenantFor(bearer(agentKey))).toBe("t1");
    expect(code(() => keys.authorize("approver", bearer(agentKey)))).toBe("FORBIDDEN");
    expect(code(() => keys.authorize("approver", bearer(approverKey)))).toBe("OK");
    expect(code(() => keys.authorize("agent", bearer(approverKey)))).toBe("FORBIDDEN");
    expect(code(() => keys.authorize("any", bearer(approverKey)))).toBe("FORBIDDEN");
  });

  it("binds an agent key to the agent ids it was issued for", () => {
    expect(mayActFor(["agent-1", "fleet-*"], "agent-1")).toBe(true);
    expect(mayActFor(["agent-1", "fleet-*"], "fleet-7")).toBe(true);
    expect(mayActFor(["agent-1", "fleet-*"], "agent-10")).toBe(false);
    expect(mayActFor(["agent-1", "fleet-*"], "fleet")).toBe(false);
    expect(mayActFor(["*"], "anyone")).toBe(true);
    const agent = keys.principalFor(bearer(agentKey));
    expect(code(() => requireAgent(agent, "agent-2"))).toBe("AGENT_NOT_ALLOWED");
    expect(code(() => requireAgent(agent, "agent-1"))).toBe("OK");
    expect(code(() => requireAgent(agent, undefined))).toBe("OK");
  });

  it("refuses a configuration where one key is both an agent's and an auditor's", () => {
    const base = {
      databaseUrl: "memory://",
      logKeyFile: "/dev/null",
      validatorSet: { validators: [{ id: "v1", public_key: "a".repeat(64) }], quorum: { k: 1 } },
      tenants: [{ id: "t1", api_key_sha256: [sha256Hex(agentKey)], agent_ids: ["agent-1"] }],
    };
    expect(parseCoordinatorConfig(base).auditors).toEqual([]);
    expect(() =>
      parseCoordinatorConfig({ ...base, auditors: [{ id: "aud", api_key_sha256: [sha256Hex(agentKey)] }] }),
    ).toThrow(/auditor key must not also be an agent key/);
    expect(() =>
      parseCoordinatorConfig({ ...base, tenants: [{ id: "t1", api_key_sha256: [sha256Hex(agentKey)] }] }),
    ).toThrow(/issued for one or more agent ids/);
    const withApprover = (h: string) => ({
      ...base,
      tenants: [{ ...base.tenants[0], approvers: [{ id: "alice", api_key_sha256: [h] }] }],
    });
    expect(parseCoordinatorConfig(withApprover(sha256Hex(approverKey))).tenants[0]!.approvers).toHaveLength(1);
    expect(() => parseCoordinatorConfig(withApprover(sha256Hex(agentKey)))).toThrow(/approver key must not/);
  });
});
