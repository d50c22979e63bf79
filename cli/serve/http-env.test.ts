/**
 * TRUSTED_HOSTS, CORS_ORIGINS, TLS_CERT_FILE/TLS_KEY_FILE and TRUST_PROXY become the coordinator's `http`
 * settings (read once, in cli/shared/env.ts, at start: so each case runs in a process of its own).
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const httpOf = (vars: Record<string, string>, file: Record<string, unknown> = {}): unknown => {
  const code = `import { httpWithEnv } from "./cli/serve/run.ts"; console.log(JSON.stringify(httpWithEnv(${JSON.stringify(file)})));`;
  const env = { PATH: process.env.PATH ?? "", ...vars };
  return JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", code], { env, stdio: "pipe" }).toString(),
  );
};

describe("the coordinator's http settings from the environment", () => {
  it("override the config file's", () => {
    expect(
      httpOf(
        {
          TRUSTED_HOSTS: "api.example.com, localhost",
          CORS_ORIGINS: "https://app.example.com",
          TLS_CERT_FILE: "/tls/cert.pem",
          TLS_KEY_FILE: "/tls/key.pem",
          TRUST_PROXY: "1",
        },
        { trustedHosts: ["old.example"], hsts: true },
      ),
    ).toEqual({
      trustedHosts: ["api.example.com", "localhost"],
      corsOrigins: ["https://app.example.com"],
      tls: { certFile: "/tls/cert.pem", keyFile: "/tls/key.pem" },
      trustProxy: 1,
      hsts: true,
    });
  });

  it("leave the file's alone when unset, and refuse half a certificate", () => {
    expect(httpOf({}, { corsOrigins: ["https://a.example"] })).toEqual({ corsOrigins: ["https://a.example"] });
    expect(() => httpOf({ TLS_CERT_FILE: "/tls/cert.pem" })).toThrow(/TLS_CERT_FILE and TLS_KEY_FILE go together/);
  });
});
