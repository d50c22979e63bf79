import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createUser } from "@nats-io/nkeys";
import type { Authenticator } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { authenticatorFor, NatsTls, natsConnectOptions } from "./connect-options.ts";

const dir = mkdtempSync(join(tmpdir(), "siq-creds-"));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};

describe("NATS connect options", () => {
  it("signs the server's nonce with an NKey user seed file", () => {
    const user = createUser();
    const seed = file("user.nk", new TextDecoder().decode(user.getSeed()) + "\n");
    const auth = authenticatorFor(seed).authenticator as Authenticator;
    const answer = auth("nonce-1") as { nkey: string; sig: string };
    expect(answer.nkey).toBe(user.getPublicKey());
    expect(answer.sig.length).toBeGreaterThan(0);
  });

  it("reads a decentralised .creds file", () => {
    const user = createUser();
    const creds = [
      "-----BEGIN NATS USER JWT-----",
      "eyJhbGciOiJlZDI1NTE5In0.eyJzdWIiOiJ0ZXN0In0.sig",
      "------END NATS USER JWT------",
      "",
      "-----BEGIN USER NKEY SEED-----",
      new TextDecoder().decode(user.getSeed()),
      "------END USER NKEY SEED------",
      "",
    ].join("\n");
    const auth = authenticatorFor(file("user.creds", creds)).authenticator as Authenticator;
    expect(auth("nonce-2")).toMatchObject({ nkey: user.getPublicKey(), jwt: expect.stringContaining("eyJ") });
  });

  it("refuses a file that is neither, and a missing one, with BUS_UNAVAILABLE", () => {
    expect(() => authenticatorFor(file("junk.txt", "password123"))).toThrow(
      expect.objectContaining({ code: "BUS_UNAVAILABLE" }),
    );
    expect(() => authenticatorFor(join(dir, "missing.nk"))).toThrow(
      expect.objectContaining({ code: "BUS_UNAVAILABLE" }),
    );
  });

  it("passes TLS files and the role's inbox prefix through, and nothing when not given", () => {
    expect(natsConnectOptions({})).toEqual({});
    const o = natsConnectOptions({ tls: { caFile: "/ca.pem" }, inboxPrefix: "_INBOX_validator-v1", name: "n" });
    expect(o).toEqual({ name: "n", tls: { caFile: "/ca.pem" }, inboxPrefix: "_INBOX_validator-v1" });
    expect(NatsTls.safeParse({ caFile: "/ca.pem", extra: 1 }).success).toBe(false);
  });
});
