/** The YAML rule language, as zod schemas. */
import { z } from "zod";
import { RiskLevel } from "../../protocol/schemas/fields.ts";

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
/** A literal list, or "$name" naming a list of the pack. */
const ListRef = z.union([z.array(Scalar), z.string().regex(/^\$[a-z][a-z0-9_]*$/)]);

export const Leaf = z
  .object({
    field: z.string().regex(/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/i),
    eq: Scalar.optional(),
    ne: Scalar.optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    between: z.tuple([z.number(), z.number()]).optional(),
    in: ListRef.optional(),
    not_in: ListRef.optional(),
    any_not_in: ListRef.optional(),
    contains_any: ListRef.optional(),
    regex: z.string().optional(),
    exists: z.boolean().optional(),
  })
  .strict()
  .refine((l) => Object.keys(l).filter((k) => k !== "field").length === 1, "a condition has a field and exactly one operator");
export type Leaf = z.infer<typeof Leaf>;

export type Condition = Leaf | { all: Condition[] } | { any: Condition[] } | { not: Condition };
export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(Condition).min(1) }).strict(),
    z.object({ any: z.array(Condition).min(1) }).strict(),
    z.object({ not: Condition }).strict(),
    Leaf,
  ]),
);

export const Action = z
  .object({
    score: z.number().int().min(-100).max(100).optional(),
    min_level: RiskLevel.optional(),
    block: z.literal(true).optional(),
  })
  .strict()
  .refine((a) => Object.keys(a).length > 0, "an action does at least one thing");

export const Rule = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/),
    layer: z.enum(["hard", "velocity", "behavioural", "score"]).default("score"),
    description: z.string().optional(),
    when: Condition,
    then: Action,
    reason: z.object({ code: z.string().regex(/^[A-Z][A-Z0-9_]+$/), message: z.string() }).strict(),
  })
  .strict();
export type Rule = z.infer<typeof Rule>;

export const Bands = z
  .object({ MEDIUM: z.number(), HIGH: z.number(), CRITICAL: z.number() })
  .strict()
  .refine((b) => b.MEDIUM < b.HIGH && b.HIGH < b.CRITICAL, "bands must rise: MEDIUM < HIGH < CRITICAL");
export type Bands = z.infer<typeof Bands>;

/** One YAML file of a pack. `pack.yaml` carries the name and bands. */
export const PackFile = z
  .object({
    pack: z.string().optional(),
    bands: Bands.optional(),
    lists: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.array(Scalar)).optional(),
    rules: z.array(Rule).optional(),
  })
  .strict();
export type PackFile = z.infer<typeof PackFile>;
