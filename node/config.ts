/** A validator's configuration, parsed once and frozen. */
import { z } from "zod";
import { Namespace, ValidatorId } from "../protocol/index.ts";

export const ValidatorConfig = z.object({
  id: ValidatorId,
  keyFile: z.string().min(1),
  natsUrl: z.string().min(1),
  namespace: Namespace.default("siq"),
  rulesDir: z.string().optional(),
  /** A candidate pack scored beside the live one: its opinion is signed and logged, never counted. */
  shadowRulesDir: z.string().optional(),
  /** OFAC CSV folder (sdn.csv, alt.csv, add.csv); default: shared/data/ofac beside the repository. */
  sanctionsDir: z.string().optional(),
  /** Watch the rules and swap a changed pack in without a restart. */
  watchRules: z.boolean().default(true),
  /** A changed pack takes effect this long after its files were written, on every node alike. */
  reloadGraceMs: z.number().int().min(0).default(1500),
  heartbeatMs: z.number().int().min(100).default(1000),
  /** Verdicts being published at once, before the mailbox waits. */
  maxInFlight: z.number().int().min(1).default(256),
  logLevel: z.string().default("info"),
});
export type ValidatorConfig = Readonly<z.infer<typeof ValidatorConfig>>;

export function parseValidatorConfig(input: unknown): ValidatorConfig {
  return Object.freeze(ValidatorConfig.parse(input));
}
