/**
 * Access tokens on a real (PGlite) store: EdDSA with a kid; after a rotation
 * the new key signs and the old one still verifies until its tokens are out of
 * date; forged, altered, unsigned, foreign and expired tokens are refused.
 */
import { generateKeyPair, SignJWT, UnsecuredJWT, decodeProtectedHeader } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "../../lib/db.ts";
import { migrateAccounts } from "./schema.ts";
import { SigningKeys } from "./signing-keys.ts";

const claims = { sub: "usr_aaaaaaaaaaaa", org: "org_1", sid: "ses_1", ver: 0 };
const opts = { issuer: "sentineliq", accessTtlSeconds: 2, rotateAfterSeconds: 3600 };

describe("access-token signing keys", () => {
  let db: Db;
  beforeAll(async () => {
    db = await openDb({ url: "memory://" });
    await migrateAccounts(db);
  });
  afterAll(async () => {
    await db.close();
  });

  it("signs EdDSA JWTs naming their key, verifies them, and publishes only public keys", async () => {
    const keys = new SigningKeys(db, opts);
    await keys.init();
    const token = await keys.sign(claims);
    const header = decodeProtectedHeader(token);
    expect(header).toMatchObject({ alg: "EdDSA", typ: "JWT" });
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual([header.kid]);
    expect(keys.jwks().keys[0]).not.toHaveProperty("d");
    await expect(keys.verify(token)).resolves.toEqual(claims);
  });

  it("rotates: the new key signs, the old one verifies until its last token expired, on every coordinator", async () => {
    // Lifetimes are whole seconds from a truncated `iat`: 4 s leaves a token signed late in a second alive after the 1.1 s wait.
    const rotating = { ...opts, accessTtlSeconds: 4 };
    const a = new SigningKeys(db, rotating);
    await a.init();
    const before = await a.sign(claims);
    const other = new SigningKeys(db, rotating);
    await other.init();
    const kid = await a.rotate();
    const after = await a.sign(claims);
    expect(decodeProtectedHeader(after).kid).toBe(kid);
    expect(decodeProtectedHeader(before).kid).not.toBe(kid);
    expect(a.jwks().keys.map((k) => k.kid)).toContain(decodeProtectedHeader(before).kid);
    await expect(a.verify(before)).resolves.toEqual(claims);
    // A coordinator that has not seen the rotation loads the new key when a token names it.
    await new Promise((r) => setTimeout(r, 1100));
    await expect(other.verify(after)).resolves.toEqual(claims);
    // Once an access-token lifetime has passed since the rotation, the old key is gone.
    await new Promise((r) => setTimeout(r, 3100));
    expect(a.jwks().keys.map((k) => k.kid)).toEqual([kid]);
    await expect(a.verify(before)).rejects.toMatchObject({ code: "INVALID_TOKEN" });
  });

  it("a signing key older than the rotation interval is replaced at start", async () => {
    const a = new SigningKeys(db, opts);
    await a.init();
    const newest = a.jwks().keys.at(-1)!.kid;
    const b = new SigningKeys(db, { ...opts, rotateAfterSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    await b.init();
    expect(decodeProtectedHeader(await b.sign(claims)).kid).not.toBe(newest);
  });

  it("refuses expired, altered, unsigned and foreign tokens", async () => {
    const keys = new SigningKeys(db, { ...opts, accessTtlSeconds: 1 });
    await keys.init();
    const token = await keys.sign(claims);
    const [h, p, s] = token.split(".");
    const altered = `${h}.${Buffer.from(JSON.stringify({ ...claims, org: "org_2" })).toString("base64url")}.${s}`;
    const unsigned = new UnsecuredJWT(claims).setIssuer("sentineliq").setAudience("sentineliq").encode();
    const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const kid = decodeProtectedHeader(token).kid!;
    const foreign = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: "EdDSA", kid })
      .setIssuer("sentineliq")
      .setAudience("sentineliq")
      .setExpirationTime("1m")
      .sign(privateKey);
    for (const bad of [altered, unsigned, foreign, `${h}.${p}.`, "a.b.c"])
      await expect(keys.verify(bad), bad).rejects.toMatchObject({ code: "INVALID_TOKEN" });
    await new Promise((r) => setTimeout(r, 2100));
    await expect(keys.verify(token)).rejects.toMatchObject({ code: "INVALID_TOKEN" });
  });
});
