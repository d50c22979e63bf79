/** Opaque tokens and ids: random base64url; only their SHA-256 is stored. */
import { createHash, randomBytes } from "node:crypto";

export const newToken = (): string => randomBytes(32).toString("base64url");
export const tokenHash = (token: string): string => createHash("sha256").update(token).digest("hex");
export const newId = (prefix: "usr" | "org" | "ses"): string => `${prefix}_${randomBytes(12).toString("base64url")}`;
