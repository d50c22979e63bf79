/** Agent and auditor keys: who they are, and which routes they may use. */
import { describe, expect, it } from "vitest";
import { sha256Hex, SiqError } from "../../protocol/index.ts";
import { parseCoordinatorConfig } from "../config.ts";
import { ApiKeys } from "./auth.ts";

const agentKey = "siq_agent_key_0123456789";
const auditorKey = "siq_auditor_key_0123456789";
const keys = new ApiKeys(
  [{ id: "t1", api_key_sha256: [sha256Hex(agentKey)] }],
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
    expect(keys.principalFor(bearer(agentKey))).toEqual({ role: "agent", tenant: "t1" });
    expect(keys.principalFor(bearer(auditorKey))).toEqual({ role: "auditor", auditor: "aud" });
  });

  it("gives 403 to a known key of the wrong role and 401 to an unknown or missing one", () => {
    expect(code(() => keys.authorize("auditor", bearer(agentKey)))).toBe("FORBIDDEN");
    expect(code(() => keys.authorize("agent", bearer(auditorKey)))).toBe("FORBIDDEN");
    expect(code(() => keys.authorize("any", bearer(auditorKey)))).toBe("OK");
    expect(code(() => keys.authorize("any", bearer("siq_unknown_000000000000")))).toBe("UNAUTHENTICATED");
    expect(code(() => keys.authorize("agent", undefined))).toBe("UNAUTHENTICATED");
    expect(keys.tenantFor(bearer(agentKey))).toBe("t1");
  });

  it("refuses a configuration where one key is both an agent's and an auditor's", () => {
    const base = {
      databaseUrl: "memory://",
      logKeyFile: "/dev/null",
      validatorSet: { validators: [{ id: "v1", public_key: "a".repeat(64) }], quorum: { k: 1 } },
      tenants: [{ id: "t1", api_key_sha256: [sha256Hex(agentKey)] }],
    };
    expect(parseCoordinatorConfig(base).auditors).toEqual([]);
    expect(() =>
      parseCoordinatorConfig({ ...base, auditors: [{ id: "aud", api_key_sha256: [sha256Hex(agentKey)] }] }),
    ).toThrow(/auditor key must not also be an agent key/);
  });
});
