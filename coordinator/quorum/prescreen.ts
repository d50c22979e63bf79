/**
 * The fast pre-screen (pure): sorts a payment into a tier before any
 * validator sees it. Easy ones (small, with a code lineage, nowhere
 * sensitive, first attempt) may go to a smaller committee that must approve
 * unanimously; everything else goes to the whole validator set.
 */
import { z } from "zod";
import type { PaymentRequest, Tier } from "../../protocol/index.ts";

export const PrescreenConfig = z
  .object({
    easyMaxAmount: z.number().positive().default(1000),
    hardMinAmount: z.number().positive().default(10_000),
    hardCountries: z.array(z.string()).default(["KP", "IR", "SY", "CU", "RU", "BY"]),
  })
  .default({ easyMaxAmount: 1000, hardMinAmount: 10_000, hardCountries: ["KP", "IR", "SY", "CU", "RU", "BY"] });
export type PrescreenConfig = z.infer<typeof PrescreenConfig>;

export function prescreen(p: PaymentRequest, attempt: number, c: PrescreenConfig): Tier {
  const amount = Number(p.amount);
  const country = p.metadata?.country_code;
  if (attempt > 1 || amount >= c.hardMinAmount || (country !== undefined && c.hardCountries.includes(country)))
    return "hard";
  if (amount <= c.easyMaxAmount && p.func_stack_hashes.length > 0 && country !== undefined) return "easy";
  return "medium";
}
