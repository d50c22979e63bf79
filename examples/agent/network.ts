/**
 * Where the example agent finds the network: SENTINELIQ_URL, SENTINELIQ_API_KEY
 * and SENTINELIQ_AUDITOR_KEY when set, else ./.sentineliq/dev-credentials.json
 * (written by `npm start`). Also the two accounts it pays between.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";

export interface Network {
  baseUrl: string;
  apiKey: string;
  auditorKey: string;
  sender: string;
  receiver: string;
  source: string;
}

export function findNetwork(): Network {
  const file = resolve(".sentineliq", "dev-credentials.json");
  const dev: unknown = existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {};
  const env = process.env;
  const baseUrl = env.SENTINELIQ_URL || text(dev, "base_url");
  const apiKey = env.SENTINELIQ_API_KEY || text(dev, "api_key");
  const auditorKey = env.SENTINELIQ_AUDITOR_KEY || text(dev, "auditor_key");
  if (!baseUrl || !apiKey || !auditorKey) {
    throw new Error(
      "no network found: run `npm start` first (it writes .sentineliq/dev-credentials.json), " +
        "or set SENTINELIQ_URL, SENTINELIQ_API_KEY and SENTINELIQ_AUDITOR_KEY",
    );
  }
  const example = field(dev, "example_payment");
  return {
    baseUrl,
    apiKey,
    auditorKey,
    sender: text(example, "sender") ?? randomAddress(),
    receiver: text(example, "receiver") ?? randomAddress(),
    source: env.SENTINELIQ_URL ? "SENTINELIQ_URL" : file,
  };
}

/** A field of a parsed JSON value (undefined unless the value is an object that has it). */
function field(json: unknown, key: string): unknown {
  return typeof json === "object" && json !== null ? (json as Record<string, unknown>)[key] : undefined;
}

/** A string field of a parsed JSON value, if it is a string. */
function text(json: unknown, key: string): string | undefined {
  const v = field(json, key);
  return typeof v === "string" ? v : undefined;
}

const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/** A fresh Solana-style address: base58 of 32 random bytes. */
export function randomAddress(): string {
  const bytes = randomBytes(32);
  let n = BigInt("0x" + bytes.toString("hex"));
  let out = "";
  while (n > 0n) {
    out = ALPHABET[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = "1" + out;
  }
  return out;
}
