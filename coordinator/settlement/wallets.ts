/**
 * Solana keypair files (solana-keygen's format: a JSON array of the 64
 * secret-and-public key bytes): the fee payer and the custody wallets the
 * settler signs for. Secrets are read into kit signers and never logged.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from "node:fs";
import { dirname } from "node:path";
import { createKeyPairSignerFromBytes, getAddressDecoder, type KeyPairSigner } from "@solana/kit";
import { z } from "zod";
import { SiqError, Signer } from "../../protocol/index.ts";

const KeypairJson = z.array(z.number().int().min(0).max(255)).length(64);

export async function loadKeypairFile(path: string): Promise<KeyPairSigner> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new SiqError("KEY_FILE_INVALID", `cannot read keypair file ${path}`, { cause });
  }
  const parsed = KeypairJson.safeParse(raw);
  if (!parsed.success)
    throw new SiqError("KEY_FILE_INVALID", `keypair file ${path} is not a Solana keypair (a JSON array of 64 bytes)`);
  const bytes = new Uint8Array(parsed.data);
  try {
    return await createKeyPairSignerFromBytes(bytes);
  } catch (cause) {
    throw new SiqError("KEY_FILE_INVALID", `keypair file ${path}: public key does not match the secret`, { cause });
  } finally {
    bytes.fill(0);
  }
}

/** Writes a new keypair file (0600) unless one exists; returns its address. */
export function ensureKeypairFile(path: string): string {
  if (existsSync(path)) {
    const parsed = KeypairJson.safeParse(JSON.parse(readFileSync(path, "utf8")));
    if (!parsed.success) throw new SiqError("KEY_FILE_INVALID", `keypair file ${path} is not a Solana keypair`);
    return getAddressDecoder().decode(new Uint8Array(parsed.data.slice(32)));
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const { signer, seed } = Signer.generate();
  const bytes = [...seed, ...signer.publicKey];
  seed.fill(0);
  writeFileSync(path, JSON.stringify(bytes) + "\n", { mode: 0o600 });
  chmodSync(path, 0o600);
  return getAddressDecoder().decode(signer.publicKey);
}

/** The custody wallets, by address. */
export async function loadWallets(files: readonly string[]): Promise<Map<string, KeyPairSigner>> {
  const out = new Map<string, KeyPairSigner>();
  for (const f of files) {
    const s = await loadKeypairFile(f);
    out.set(s.address, s);
  }
  return out;
}
