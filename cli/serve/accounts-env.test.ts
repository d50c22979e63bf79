import { describe, expect, it } from "vitest";
import { withSmtpEnv } from "./accounts-env.ts";

describe("SMTP_URL for `sentineliq coordinator`", () => {
  it("overrides accounts.smtpUrl and keeps the other accounts settings", () => {
    const raw = { port: 1, accounts: { smtpUrl: "smtp://old:25", accessTtlSeconds: 60 } };
    expect(withSmtpEnv(raw, "smtp://u:p@mail:587")).toEqual({
      port: 1,
      accounts: { smtpUrl: "smtp://u:p@mail:587", accessTtlSeconds: 60 },
    });
    expect(withSmtpEnv({ port: 1 }, "smtp://mail:25")).toEqual({ port: 1, accounts: { smtpUrl: "smtp://mail:25" } });
    expect(withSmtpEnv(raw, undefined)).toBe(raw);
  });
});
