/** Field-level schemas shared by every wire type. */
import { isAddress } from "@solana/kit";
import { z } from "zod";
import { safeText } from "./safe.ts";

/** Positive decimal string: up to 18 integer digits and 9 decimals ("12.50"). */
export const Amount = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,17})(\.[0-9]{1,9})?$/, 'must be a positive decimal string such as "12.50"')
  .refine((s) => /[1-9]/.test(s), "must be greater than zero");

/**
 * A Solana address: base58, 32 bytes. Checking one costs ~13 µs (a base58
 * decode); agents pay the same parties again and again, so addresses already
 * found valid are remembered (bounded).
 */
const knownAddresses = new Set<string>();
function isValidAddress(s: string): boolean {
  if (knownAddresses.has(s)) return true;
  if (!isAddress(s)) return false;
  if (knownAddresses.size >= 100_000) knownAddresses.clear();
  knownAddresses.add(s);
  return true;
}
export const Address = z.string().refine(isValidAddress, "must be a base58 Solana address (32 bytes)");

export const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters (a SHA-256 hash)");

export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, "letters, digits and . _ : @ - only");

export const ValidatorId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, "lowercase id such as v1");

export const Currency = z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/, "an upper-case currency code such as USDC or SOL");

export const CountryCode = z.string().regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 code such as DE");

export const IsoTime = z.iso.datetime({ offset: false });

export const Base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64");

export const RiskLevels = ["LOW", "MEDIUM", "HIGH", "CRITICAL"] as const;
export const RiskLevel = z.enum(RiskLevels);
export type RiskLevel = z.infer<typeof RiskLevel>;

export const Decisions = ["approve", "challenge", "reject"] as const;
export const Decision = z.enum(Decisions);
export type Decision = z.infer<typeof Decision>;

/** Inputs a rule fired on (field path → value): the evidence others can check against the payment. */
export const ReasonInputs = z.record(safeText(128), z.union([safeText(500), z.number(), z.boolean(), z.null()]));

export const Reason = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]{1,63}$/),
  message: safeText(500),
  rule_id: safeText(128).optional(),
  inputs: ReasonInputs.optional(),
});
export type Reason = z.infer<typeof Reason>;

/** Rank of a level, for comparisons: LOW 0 … CRITICAL 3. */
export function levelRank(level: RiskLevel): number {
  return RiskLevels.indexOf(level);
}

export function maxLevel(a: RiskLevel, b: RiskLevel): RiskLevel {
  return levelRank(a) >= levelRank(b) ? a : b;
}

/** LOW → approve; MEDIUM, HIGH → challenge; CRITICAL → reject. */
export function decisionFor(level: RiskLevel): Decision {
  if (level === "LOW") return "approve";
  if (level === "CRITICAL") return "reject";
  return "challenge";
}
