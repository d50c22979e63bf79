/**
 * Access tokens: EdDSA (Ed25519) JWTs through `jose`, each naming its key
 * (`kid`). The keys live in the store, so every coordinator signs and
 * verifies with the same ring. The newest key signs; when it is older than the
 * rotation interval a new one is made, and the older keys still verify (and
 * stay in the JWKS) until the last token they signed has expired.
 */
import { randomBytes } from "node:crypto";
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from "jose";
import type { CryptoKey, JWK, JWTPayload } from "jose";
import type { Db } from "../../lib/db.ts";
import { SiqError } from "../../protocol/index.ts";

const ALG = "EdDSA";

export interface AccessClaims {
  sub: string;
  org: string;
  sid: string;
  ver: number;
}

type Key = {
  kid: string;
  createdAt: number;
  publicJwk: JWK;
  verifyKey: CryptoKey;
  signKey: CryptoKey | undefined;
  privateJwk: JWK;
};

export interface SigningKeyOptions {
  issuer: string;
  accessTtlSeconds: number;
  rotateAfterSeconds: number;
}

export class SigningKeys {
  readonly #db: Db;
  readonly #o: SigningKeyOptions;
  #keys: Key[] = [];
  #loadedAt = 0;

  constructor(db: Db, opts: SigningKeyOptions) {
    this.#db = db;
    this.#o = opts;
  }

  /** Loads the ring; makes the first key, or a new one when the newest is due for rotation. */
  async init(): Promise<void> {
    await this.#load();
    const newest = this.#keys.at(-1);
    if (!newest || Date.now() - newest.createdAt > this.#o.rotateAfterSeconds * 1000) await this.rotate();
  }

  /** A new signing key; the older ones keep verifying until their tokens expire. */
  async rotate(): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair(ALG, { crv: "Ed25519", extractable: true });
    const kid = `k_${randomBytes(9).toString("base64url")}`;
    const priv = await exportJWK(privateKey);
    const pub = await exportJWK(publicKey);
    await this.#db.query(
      `INSERT INTO siq_jwt_keys (kid, private_jwk, public_jwk, created_at) VALUES ($1, $2, $3, $4)`,
      [kid, JSON.stringify(priv), JSON.stringify(pub), new Date().toISOString()],
    );
    await this.#load();
    return kid;
  }

  async sign(claims: AccessClaims): Promise<string> {
    const newest = this.#keys.at(-1);
    if (!newest || Date.now() - newest.createdAt > this.#o.rotateAfterSeconds * 1000) await this.init();
    const key = this.#keys.at(-1)!;
    key.signKey ??= (await importJWK(key.privateJwk, ALG)) as CryptoKey;
    return new SignJWT({ org: claims.org, sid: claims.sid, ver: claims.ver })
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ: "JWT" })
      .setSubject(claims.sub)
      .setIssuer(this.#o.issuer)
      .setAudience(this.#o.issuer)
      .setIssuedAt()
      .setJti(randomBytes(12).toString("base64url"))
      .setExpirationTime(`${this.#o.accessTtlSeconds}s`)
      .sign(key.signKey);
  }

  /** The claims of a token this ring signed and that has not expired; INVALID_TOKEN otherwise. */
  async verify(token: string): Promise<AccessClaims> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, async (header) => this.#verifyKey(header.kid), {
        algorithms: [ALG],
        issuer: this.#o.issuer,
        audience: this.#o.issuer,
      }));
    } catch (cause) {
      throw new SiqError("INVALID_TOKEN", "the access token is invalid or expired; log in again", { cause });
    }
    const { sub, org, sid, ver } = payload;
    if (typeof sub !== "string" || typeof org !== "string" || typeof sid !== "string" || typeof ver !== "number")
      throw new SiqError("INVALID_TOKEN", "the access token lacks its claims");
    return { sub, org, sid, ver };
  }

  /** The public keys that verify tokens still in date (JWKS). */
  jwks(): { keys: (JWK & { kid: string; kty: string })[] } {
    return {
      keys: this.#live().map((k) => ({
        ...k.publicJwk,
        kty: k.publicJwk.kty ?? "OKP",
        kid: k.kid,
        alg: ALG,
        use: "sig",
      })),
    };
  }

  /** Keys that may verify: the newest, and those replaced less than one access-token lifetime ago. */
  #live(): Key[] {
    const horizon = Date.now() - this.#o.accessTtlSeconds * 1000;
    return this.#keys.filter((k, i) => i === this.#keys.length - 1 || this.#keys[i + 1]!.createdAt > horizon);
  }

  async #verifyKey(kid: string | undefined): Promise<CryptoKey> {
    let key = this.#live().find((k) => k.kid === kid);
    // Another coordinator may have rotated: reload (at most once a second) before refusing.
    if (!key && kid && Date.now() - this.#loadedAt > 1000) {
      await this.#load();
      key = this.#live().find((k) => k.kid === kid);
    }
    if (!key) throw new Error(`no live key ${String(kid)}`);
    return key.verifyKey;
  }

  async #load(): Promise<void> {
    const rows = await this.#db.query<{ kid: string; private_jwk: JWK; public_jwk: JWK; created_at: Date }>(
      `SELECT kid, private_jwk, public_jwk, created_at FROM siq_jwt_keys ORDER BY created_at, kid`,
    );
    const known = new Map(this.#keys.map((k) => [k.kid, k]));
    this.#keys = await Promise.all(
      rows.map(
        async (r) =>
          known.get(r.kid) ?? {
            kid: r.kid,
            createdAt: new Date(r.created_at).getTime(),
            publicJwk: r.public_jwk,
            privateJwk: r.private_jwk,
            verifyKey: (await importJWK(r.public_jwk, ALG)) as CryptoKey,
            signKey: undefined,
          },
      ),
    );
    this.#loadedAt = Date.now();
  }
}
