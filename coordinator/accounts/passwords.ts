/**
 * Passwords: argon2id (@node-rs/argon2's default algorithm) with OWASP's
 * minimum parameters. An unknown account is checked against a dummy hash, so
 * a wrong address costs the same time as a wrong password.
 */
import { randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummy: Promise<string> | undefined;

/** True when `password` matches `stored`; with no stored hash, a dummy is checked and the answer is false. */
export async function checkPassword(stored: string | undefined, password: string): Promise<boolean> {
  const against = stored ?? (await (dummy ??= hashPassword(randomBytes(18).toString("base64url"))));
  const ok = await verify(against, password).catch(() => false);
  return stored !== undefined && ok;
}
