/** Passwords: argon2id hashes, salted; an unknown account costs one verification and never matches. */
import { describe, expect, it } from "vitest";
import { checkPassword, hashPassword } from "./passwords.ts";
import { newToken, tokenHash } from "./secrets.ts";

describe("passwords", () => {
  it("hashes with argon2id, a fresh salt each time, and checks", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(a).not.toBe(b);
    expect(await checkPassword(a, "correct horse battery")).toBe(true);
    expect(await checkPassword(a, "correct horse batterY")).toBe(false);
    expect(await checkPassword("not a hash", "x")).toBe(false);
  });

  it("an unknown account is checked against a dummy hash: false, after the same work", async () => {
    await checkPassword(undefined, "warm up the dummy");
    const known = await hashPassword("correct horse battery");
    const time = async (stored: string | undefined) => {
      const t0 = performance.now();
      expect(await checkPassword(stored, "a wrong password")).toBe(false);
      return performance.now() - t0;
    };
    const unknown = await time(undefined);
    const wrong = await time(known);
    expect(unknown).toBeGreaterThan(wrong * 0.3);
  });
});

describe("opaque tokens", () => {
  it("are 32 random bytes in base64url, stored only as their SHA-256", () => {
    const t = newToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(t);
    expect(tokenHash(t)).toMatch(/^[0-9a-f]{64}$/);
    expect(tokenHash(t)).not.toContain(t);
  });
});
