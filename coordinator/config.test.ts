/** The coordinator's external witnesses: URL and verifier key checked at start-up, and a quorum they can meet. */
import { describe, expect, it } from "vitest";
import { COSIGNATURE_V1, ED25519, Signer, vkeyFor } from "../protocol/index.ts";
import { parseCoordinatorConfig } from "./config.ts";

const base = {
  databaseUrl: "memory://",
  logKeyFile: "/dev/null",
  validatorSet: { validators: [{ id: "v1", public_key: "a".repeat(64) }], quorum: { k: 1 } },
  tenants: [{ id: "t1", api_key_sha256: ["b".repeat(64)], agent_ids: ["agent-1"] }],
};
const vkey = vkeyFor("witness.example/w1", COSIGNATURE_V1, Signer.generate().signer.publicKey);

describe("externalWitnesses", () => {
  it("takes a URL and a note verifier key; none by default", () => {
    expect(parseCoordinatorConfig(base).externalWitnesses).toEqual([]);
    const c = parseCoordinatorConfig({ ...base, externalWitnesses: [{ url: "https://w.example/", vkey }] });
    expect(c.externalWitnesses).toEqual([{ url: "https://w.example/", vkey }]);
    const ed = vkeyFor("witness.example/old", ED25519, Signer.generate().signer.publicKey);
    expect(() =>
      parseCoordinatorConfig({ ...base, externalWitnesses: [{ url: "https://w.example/", vkey: ed }] }),
    ).not.toThrow();
  });

  it("refuses a key that is not a verifier key, a forged key id, a bad URL, an unknown field, a witness twice, a quorum over the list", () => {
    const bad =
      (w: unknown, extra: object = {}) =>
      () =>
        parseCoordinatorConfig({ ...base, externalWitnesses: [w], ...extra });
    expect(bad({ url: "https://w.example/", vkey: "witness.example/w1" })).toThrow(/not a note verifier key/);
    const [name, , key] = vkey.split("+");
    expect(bad({ url: "https://w.example/", vkey: `${name}+00000000+${key}` })).toThrow(/not a note verifier key/);
    expect(bad({ url: "not a url", vkey })).toThrow(/CONFIG|url|URL/i);
    expect(bad({ url: "https://w.example/", vkey, extra: 1 })).toThrow();
    const twice = {
      ...base,
      externalWitnesses: [
        { url: "https://a.example/", vkey },
        { url: "https://b.example/", vkey },
      ],
    };
    expect(() => parseCoordinatorConfig(twice)).toThrow(/listed twice/);
    expect(bad({ url: "https://w.example/", vkey }, { externalWitnessQuorum: 2 })).toThrow(
      /2 external cosignatures required, 1 external witnesses listed/,
    );
  });
});
