/**
 * Key files: one JSON file per Ed25519 key, written 0600. The secret seed is
 * read into a Signer and never printed, logged or serialised again.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { Signer } from "./crypto.ts";
import { SiqError } from "./errors.ts";
import { TypeTags } from "./tags.ts";

const KeyFileSchema = z.object({
  type: z.literal(TypeTags.key),
  algorithm: z.literal("ed25519"),
  id: z.string().min(1).max(64),
  public_key: z.string().regex(/^[0-9a-f]{64}$/),
  seed: z.string().regex(/^[0-9a-f]{64}$/),
});

export interface LoadedKey {
  id: string;
  signer: Signer;
  /** Hex of the 32-byte public key. */
  publicKeyHex: string;
}

export function generateKeyFile(path: string, id: string, opts: { overwrite?: boolean } = {}): LoadedKey {
  if (existsSync(path) && !opts.overwrite) throw new SiqError("CONFLICT", `key file ${path} already exists`);
  const { signer, seed } = Signer.generate();
  const publicKeyHex = Buffer.from(signer.publicKey).toString("hex");
  const body = {
    type: TypeTags.key,
    algorithm: "ed25519",
    id,
    public_key: publicKeyHex,
    seed: seed.toString("hex"),
  };
  writeFileSync(path, JSON.stringify(body, null, 2) + "\n", { mode: 0o600 });
  chmodSync(path, 0o600);
  seed.fill(0);
  return { id, signer, publicKeyHex };
}

/** The key in `path`, made there first if there is none yet. */
export function ensureKeyFile(path: string, id: string): LoadedKey {
  return existsSync(path) ? loadKeyFile(path) : generateKeyFile(path, id);
}

export function loadKeyFile(path: string): LoadedKey {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new SiqError("KEY_FILE_INVALID", `cannot read key file ${path}`, { cause });
  }
  const parsed = KeyFileSchema.safeParse(raw);
  // Never echo the file's content: it holds the secret seed.
  if (!parsed.success)
    throw new SiqError("KEY_FILE_INVALID", `key file ${path} is not a sentineliq.key.v1 Ed25519 key`);
  const seed = Buffer.from(parsed.data.seed, "hex");
  const signer = new Signer(seed);
  seed.fill(0);
  const publicKeyHex = Buffer.from(signer.publicKey).toString("hex");
  if (publicKeyHex !== parsed.data.public_key) {
    throw new SiqError("KEY_FILE_INVALID", `key file ${path}: public key does not match the seed`);
  }
  return { id: parsed.data.id, signer, publicKeyHex };
}
