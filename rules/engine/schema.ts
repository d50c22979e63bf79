/** The YAML rule language, as zod schemas. `docs/RULES.md` is the reader's guide. */
import { z } from "zod";
import { RiskLevel, ChallengeKind } from "../../protocol/index.ts";
import { Duration } from "./duration.ts";

const Name = z.string().regex(/^[a-z][a-z0-9_]*$/, "lowercase letters, digits and _");
const Scalar = z.union([z.string(), z.number(), z.boolean()]);
/** "$name": a list or a parameter of the pack (an organisation may override it). */
const Ref = z.string().regex(/^\$[a-z][a-z0-9_]*$/, 'a "$name" reference');
/** A literal list, or "$name" naming a list of the pack (or a live list the node keeps). */
const ListRef = z.union([z.array(Scalar), Ref]);
/** A number, or "$name" naming a numeric parameter. */
const NumRef = z.union([z.number(), Ref]);
export const FieldPath = z
  .string()
  .regex(/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$/i, "a field path such as metadata.country_code");

export const OPERATORS = [
  "eq",
  "ne",
  "gt",
  "gte",
  "lt",
  "lte",
  "between",
  "in",
  "not_in",
  "any_not_in",
  "contains_any",
  "regex",
  "exists",
  "screen",
] as const;

export const Screen = z
  .object({
    /** The screening list, e.g. "ofac" (names and aliases) or "ofac_addresses". */
    list: Name,
    /** Jaro-Winkler similarity in [0, 1] at or above which a name matches. */
    threshold: z.number().min(0.5).max(1),
  })
  .strict();

export const Leaf = z
  .object({
    field: FieldPath,
    eq: Scalar.optional(),
    ne: Scalar.optional(),
    gt: NumRef.optional(),
    gte: NumRef.optional(),
    lt: NumRef.optional(),
    lte: NumRef.optional(),
    between: z.tuple([NumRef, NumRef]).optional(),
    in: ListRef.optional(),
    not_in: ListRef.optional(),
    any_not_in: ListRef.optional(),
    contains_any: ListRef.optional(),
    regex: z.string().optional(),
    exists: z.boolean().optional(),
    screen: Screen.optional(),
  })
  .strict()
  .refine(
    (l) => Object.keys(l).filter((k) => k !== "field").length === 1,
    "a condition has a field and exactly one operator",
  );
export type Leaf = z.infer<typeof Leaf>;

/** The escape hatch: a CEL expression over the same facts (`@marcbachmann/cel-js`). */
export const Expr = z.object({ expr: z.string().min(1).max(2000) }).strict();
export type Expr = z.infer<typeof Expr>;

export type Condition = Leaf | Expr | { all: Condition[] } | { any: Condition[] } | { not: Condition };
export const Condition: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(Condition).min(1) }).strict(),
    z.object({ any: z.array(Condition).min(1) }).strict(),
    z.object({ not: Condition }).strict(),
    Expr,
    Leaf,
  ]),
);

export const Action = z
  .object({
    /** Added to the composite score (0-100), which the bands map to a level. */
    score: z.number().int().min(-100).max(100).optional(),
    min_level: RiskLevel.optional(),
    /** CRITICAL, whatever the score. */
    block: z.literal(true).optional(),
    /** Ask the agent for this kind of evidence (at least MEDIUM). */
    challenge: ChallengeKind.optional(),
  })
  .strict()
  .refine((a) => Object.keys(a).length > 0, "an action does at least one thing");
export type Action = z.infer<typeof Action>;

export const Layers = ["hard", "velocity", "behavioural", "score"] as const;
export const Subjects = ["payment", "event", "any"] as const;

export const Rule = z
  .object({
    id: Name,
    layer: z.enum(Layers).default("score"),
    /** What the rule reads: payments (the default), authentication events, or both. */
    on: z.enum(Subjects).default("payment"),
    description: z.string().optional(),
    when: Condition,
    then: Action,
    reason: z.object({ code: z.string().regex(/^[A-Z][A-Z0-9_]+$/), message: z.string().max(500) }).strict(),
  })
  .strict();
export type Rule = z.infer<typeof Rule>;

/** A sliding-window aggregate per key, read by rules as `velocity.<name>`. */
export const Velocity = z
  .object({
    /** Which observations count (payments and events alike); all when absent. */
    where: Condition.optional(),
    /** The key: one field, or several for a compound key (sender and receiver). */
    per: z.union([FieldPath, z.array(FieldPath).min(1).max(4)]),
    window: Duration,
    count: z.literal(true).optional(),
    sum: FieldPath.optional(),
    distinct: FieldPath.optional(),
  })
  .strict()
  .refine(
    (v) => [v.count, v.sum, v.distinct].filter((x) => x !== undefined).length === 1,
    "a velocity has exactly one of count, sum, distinct",
  );
export type Velocity = z.infer<typeof Velocity>;

export const Bands = z
  .object({ MEDIUM: z.number(), HIGH: z.number(), CRITICAL: z.number() })
  .strict()
  .refine((b) => b.MEDIUM < b.HIGH && b.HIGH < b.CRITICAL, "bands must rise: MEDIUM < HIGH < CRITICAL");
export type Bands = z.infer<typeof Bands>;

const Params = z.record(Name, Scalar);
const Lists = z.record(Name, z.array(Scalar));

/** One YAML file of a pack. `pack.yaml` carries the name and bands. */
export const PackFile = z
  .object({
    pack: z.string().optional(),
    bands: Bands.optional(),
    params: Params.optional(),
    lists: Lists.optional(),
    velocity: z.record(Name, Velocity).optional(),
    rules: z.array(Rule).optional(),
  })
  .strict();
export type PackFile = z.infer<typeof PackFile>;

/** Per-organisation overrides on the global pack: a file with `org:` at the top. */
export const OrgFile = z
  .object({
    org: z.string().min(1).max(128),
    description: z.string().optional(),
    params: Params.optional(),
    lists: Lists.optional(),
    disable: z.array(Name).optional(),
    rules: z.array(Rule).optional(),
    /** Developer- or agent-specific thresholds inside the organisation. */
    agents: z.record(z.string().min(1).max(128), z.object({ params: Params }).strict()).optional(),
  })
  .strict();
export type OrgFile = z.infer<typeof OrgFile>;
