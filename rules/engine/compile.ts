/**
 * Compiles a pack once into plain closures. Rules run layer by layer: hard
 * rules first (a block there is immediate, nothing else runs), then velocity,
 * behavioural and score rules. The composite score maps to a level through
 * the pack's bands; `min_level`, `block` and `challenge` raise it further.
 * Each organisation with overrides (and each agent with its own thresholds)
 * gets its own compiled variant, chosen per evaluation by tenant and agent.
 */
import {
  canonicalString,
  levelRank,
  maxLevel,
  shownInput,
  type Reason,
  type RiskLevel,
  type ChallengeKind,
} from "../../protocol/index.ts";
import {
  accessor,
  compileCondition,
  type CompileContext,
  type Facts,
  type LiveLists,
  type Predicate,
  type Screeners,
} from "./condition.ts";
import { parseDuration } from "./duration.ts";
import type { OrgSource, PackSource, Scalar } from "./load.ts";
import { Layers, type Condition, type Rule } from "./schema.ts";

export type { Facts, LiveLists, Screener, Screeners } from "./condition.ts";

export interface Evaluation {
  risk_level: RiskLevel;
  score: number;
  reasons: Reason[];
  challenge_kinds?: ChallengeKind[];
}

/** A velocity aggregate as the node's state keeps it. */
export interface VelocitySpec {
  name: string;
  /** Windows with the same signature are the same aggregate, whichever pack version defines them. */
  signature: string;
  windowMs: number;
  where: Predicate;
  /** The key of an observation (undefined: not counted). */
  key: (f: Facts) => string | undefined;
  kind: "count" | "sum" | "distinct";
  value: (f: Facts) => unknown;
}

export interface CompiledPack {
  readonly name: string;
  readonly hash: string;
  readonly velocity: readonly VelocitySpec[];
  evaluate(facts: Facts): Evaluation;
}

export interface CompileOptions {
  live?: LiveLists;
  screeners?: Screeners;
}

interface CompiledRule {
  rule: Rule;
  test: Predicate;
  reason: Reason;
  /** The values of the fields the rule read, so other validators and auditors can check a hit. */
  inputs: (f: Facts) => NonNullable<Reason["inputs"]>;
}
interface Variant {
  payment: CompiledRule[];
  event: CompiledRule[];
}

const NONE = { get: () => undefined };
const LAYER_ORDER = new Map(Layers.map((l, i) => [l, i]));

function isLiveLists(x: CompileOptions | LiveLists): x is LiveLists {
  return typeof (x as Partial<LiveLists>).get === "function";
}

/** `given` may also be a LiveLists itself (the skeleton's signature). */
export function compilePack(src: PackSource, given: CompileOptions | LiveLists = {}): CompiledPack {
  const opts: CompileOptions = isLiveLists(given) ? { live: given } : given;
  const live = opts.live ?? NONE;
  const screeners = opts.screeners ?? NONE;
  const velocities = new Set(Object.keys(src.velocity));
  const base = { live, screeners, velocities };
  const velocity = compileVelocity(src, { ...base, lists: src.lists, params: src.params });
  const global = variant(src.rules, src, base, src.params, src.lists, "rule:");
  const byOrg = new Map<string, Variant>();
  const byAgent = new Map<string, Variant>();
  for (const org of src.orgs) {
    checkOrg(src, org);
    const params = { ...src.params, ...org.params };
    const lists = { ...src.lists, ...org.lists };
    const disabled = new Set(org.disable);
    const rules = [...src.rules.filter((r) => !disabled.has(r.id)), ...org.rules];
    byOrg.set(org.org, variant(rules, src, base, params, lists, `org:${org.org}:rule:`));
    for (const [agent, own] of Object.entries(org.agents)) {
      checkParams(src, org, own, ["agents", agent, "params"]);
      byAgent.set(
        `${org.org}\n${agent}`,
        variant(rules, src, base, { ...params, ...own }, lists, `org:${org.org}:rule:`),
      );
    }
  }
  const { MEDIUM, HIGH, CRITICAL } = src.bands;
  const floors = [0, MEDIUM, HIGH, CRITICAL];
  const pick = (f: Facts): Variant => {
    if (byOrg.size === 0) return global;
    const tenant = f.tenant_id as string;
    return (byAgent.size > 0 && byAgent.get(`${tenant}\n${f.agent_id as string}`)) || byOrg.get(tenant) || global;
  };
  return Object.freeze({
    name: src.name,
    hash: src.hash,
    velocity,
    evaluate(facts: Facts): Evaluation {
      const v = pick(facts);
      const rules = facts.kind === "payment" || facts.kind === undefined ? v.payment : v.event;
      let score = 0;
      let level: RiskLevel = "LOW";
      let reasons: Reason[] | undefined;
      let kinds: ChallengeKind[] | undefined;
      // After a challenge, a rule asking for a kind of evidence the agent has given is answered.
      const satisfied = (facts.challenge as { satisfied?: readonly string[] } | undefined)?.satisfied;
      for (let i = 0; i < rules.length; i++) {
        const r = rules[i]!;
        if (level === "CRITICAL" && r.rule.layer !== "hard") break;
        if (satisfied !== undefined && answered(r.rule.then, satisfied)) continue;
        if (!r.test(facts)) continue;
        (reasons ??= []).push({ ...r.reason, inputs: r.inputs(facts) });
        const t = r.rule.then;
        if (t.score !== undefined) score += t.score;
        if (t.min_level !== undefined) level = maxLevel(level, t.min_level);
        if (t.block) level = "CRITICAL";
        if (t.challenge !== undefined) {
          level = maxLevel(level, "MEDIUM");
          const kind = askFor(t, satisfied);
          if (!(kinds ??= []).includes(kind)) kinds.push(kind);
        }
      }
      score = score < 0 ? 0 : score > 100 ? 100 : score;
      const banded: RiskLevel =
        score >= CRITICAL ? "CRITICAL" : score >= HIGH ? "HIGH" : score >= MEDIUM ? "MEDIUM" : "LOW";
      level = maxLevel(level, banded);
      // The score never contradicts the level: raise it to the level's band floor.
      const floor = floors[levelRank(level)]!;
      const out: Evaluation = {
        risk_level: level,
        score: Math.min(100, Math.max(score, Math.ceil(floor))),
        reasons: reasons ?? [],
      };
      if (kinds && (level === "MEDIUM" || level === "HIGH")) out.challenge_kinds = kinds;
      return out;
    },
  });
}

type Then = Rule["then"];
const highRule = (t: Then) => t.min_level === "HIGH" || t.min_level === "CRITICAL";

/**
 * Whether a rule's challenge was answered by the evidence given: its kind, except that a proof of purpose
 * does not answer a HIGH rule on its own; a step-up (an approver of the organisation) answers any proof of purpose.
 */
function answered(t: Then, satisfied: readonly string[]): boolean {
  if (t.challenge === undefined) return false;
  if (t.challenge !== "proof_of_purpose") return satisfied.includes(t.challenge);
  return satisfied.includes("step_up") || (!highRule(t) && satisfied.includes("proof_of_purpose"));
}

/** What a firing rule asks for: a HIGH rule whose proof of purpose was given asks for a step-up next. */
function askFor(t: Then, satisfied: readonly string[] | undefined): ChallengeKind {
  return t.challenge === "proof_of_purpose" && highRule(t) && satisfied?.includes("proof_of_purpose")
    ? "step_up"
    : t.challenge!;
}

type Base = Pick<CompileContext, "live" | "screeners" | "velocities">;

function variant(
  rules: Rule[],
  src: PackSource,
  base: Base,
  params: Record<string, Scalar>,
  lists: Record<string, Scalar[]>,
  prefix: string,
): Variant {
  const compiled = rules
    .map((rule) => {
      const at = src.where.get(`${prefix}${rule.id}`) ?? src.where.get(`rule:${rule.id}`)!;
      const test = compileCondition(rule.when, { ...base, params, lists, at }, ["when"]);
      return {
        rule,
        test,
        reason: { code: rule.reason.code, message: rule.reason.message, rule_id: rule.id },
        inputs: inputsOf(rule.when),
      };
    })
    .sort((a, b) => LAYER_ORDER.get(a.rule.layer)! - LAYER_ORDER.get(b.rule.layer)!);
  return {
    payment: compiled.filter((r) => r.rule.on !== "event"),
    event: compiled.filter((r) => r.rule.on !== "payment"),
  };
}

function compileVelocity(src: PackSource, base: Omit<CompileContext, "at">): VelocitySpec[] {
  return Object.entries(src.velocity).map(([name, v]) => {
    const at = src.where.get(`velocity:${name}`)!;
    const per = (Array.isArray(v.per) ? v.per : [v.per]).map(accessor);
    const key =
      per.length === 1
        ? (f: Facts) => keyPart(per[0]!(f))
        : (f: Facts) => {
            let k = "";
            for (const get of per) {
              const part = keyPart(get(f));
              if (part === undefined) return undefined;
              k += (k ? "\u0001" : "") + part;
            }
            return k;
          };
    const where = v.where ? compileCondition(v.where, { ...base, at }, ["where"]) : () => true;
    const kind = v.count ? "count" : v.sum !== undefined ? "sum" : "distinct";
    const value = accessor(v.sum ?? v.distinct ?? "kind");
    // Parameters and lists the definition reads are part of its identity; unrelated ones are not.
    const refs = [...JSON.stringify(v).matchAll(/"\$([a-z][a-z0-9_]*)"/g)].map((m) => m[1]!);
    const bound = Object.fromEntries(refs.map((r) => [r, src.params[r] ?? src.lists[r] ?? null]));
    return {
      name,
      signature: canonicalString({ ...v, bound }),
      windowMs: parseDuration(v.window),
      where,
      key,
      kind,
      value,
    };
  });
}

function keyPart(v: unknown): string | undefined {
  if (typeof v === "string") return v === "" ? undefined : v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  return undefined;
}

function checkOrg(src: PackSource, org: OrgSource): void {
  checkParams(src, org, org.params, ["params"]);
  org.disable.forEach((id, i) => {
    if (!src.rules.some((r) => r.id === id)) throw org.at(["disable", i], `cannot disable unknown rule "${id}"`);
  });
  org.rules.forEach((r, i) => {
    if (src.rules.some((g) => g.id === r.id))
      throw org.at(["rules", i, "id"], `rule id "${r.id}" is already a global rule; disable it and add a new id`);
  });
}

function checkParams(src: PackSource, org: OrgSource, params: Record<string, Scalar>, path: string[]): void {
  for (const [k, v] of Object.entries(params)) {
    if (!(k in src.params))
      throw org.at([...path, k], `unknown parameter "${k}" (an override can only change a parameter the pack defines)`);
    if (typeof v !== typeof src.params[k])
      throw org.at([...path, k], `parameter "${k}" must be a ${typeof src.params[k]}`);
  }
}

function inputsOf(c: Condition): (f: Facts) => NonNullable<Reason["inputs"]> {
  const fields: string[] = [];
  const walk = (x: Condition) => {
    if ("all" in x) x.all.forEach(walk);
    else if ("any" in x) x.any.forEach(walk);
    else if ("not" in x) walk(x.not);
    else if ("field" in x && !fields.includes(x.field)) fields.push(x.field);
  };
  walk(c);
  const getters = fields.map((f) => [f, accessor(f)] as const);
  return (facts) => {
    const out: NonNullable<Reason["inputs"]> = {};
    for (const [field, get] of getters) {
      const v = get(facts);
      if (v === null || typeof v === "number" || typeof v === "boolean") out[field] = v;
      else if (typeof v === "string" || Array.isArray(v)) out[field] = shownInput(v);
    }
    return out;
  };
}
