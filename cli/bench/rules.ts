/**
 * `sentineliq bench rules`: evaluations per second, on one core, of the
 * default pack's payment rules (without sanctions screening), run side by
 * side in this process on the same inputs against json-rules-engine and
 * @gorules/zen-engine encoding the same rules. Before timing, it checks that
 * all three reach the same level with the same rules on every input.
 */
import { ZenEngine } from "@gorules/zen-engine";
import { Engine } from "json-rules-engine";
import { levelRank, maxLevel, type RiskLevel } from "../../protocol/index.ts";
import {
  compilePack,
  DEFAULT_PACK_DIR,
  loadPackDir,
  type Facts,
  type PackSource,
  type Rule,
  Layers,
} from "../../rules/index.ts";
import { benchInputs } from "./inputs.ts";
import { benchRules, JRE_OPERATORS, toJre, zenDecision } from "./translate.ts";

export interface RulesBenchResult {
  ours_per_s: number;
  json_rules_engine_per_s: number;
  zen_engine_per_s: number;
}

interface Outcome {
  level: RiskLevel;
  ids: string[];
}

/** The pack's level semantics applied to a set of fired rules (what a baseline's hits come to). */
export function outcomeOf(fired: Rule[], bands: PackSource["bands"]): Outcome {
  const order = (r: Rule) => Layers.indexOf(r.layer);
  let level: RiskLevel = "LOW";
  let score = 0;
  const ids: string[] = [];
  for (const r of [...fired].sort((a, b) => order(a) - order(b))) {
    if (level === "CRITICAL" && r.layer !== "hard") break;
    ids.push(r.id);
    if (r.then.score) score += r.then.score;
    if (r.then.min_level) level = maxLevel(level, r.then.min_level);
    if (r.then.block) level = "CRITICAL";
    if (r.then.challenge) level = maxLevel(level, "MEDIUM");
  }
  score = Math.max(0, Math.min(100, score));
  const banded: RiskLevel =
    score >= bands.CRITICAL ? "CRITICAL" : score >= bands.HIGH ? "HIGH" : score >= bands.MEDIUM ? "MEDIUM" : "LOW";
  return { level: maxLevel(level, banded), ids: ids.sort() };
}

export async function benchRulesEngines(
  opts: { seconds?: number; inputs?: number; dir?: string } = {},
): Promise<RulesBenchResult & { agree: number }> {
  const src = loadPackDir(opts.dir ?? DEFAULT_PACK_DIR);
  const rules = benchRules(src);
  const byId = new Map(rules.map((r) => [r.id, r]));
  const pack = compilePack({ ...src, rules, orgs: [] });
  const inputs = benchInputs(pack, opts.inputs ?? 2000);
  const resolved = { params: src.params, lists: src.lists };

  const jre = new Engine([], { allowUndefinedFacts: true });
  for (const [name, fn] of Object.entries(JRE_OPERATORS)) jre.addOperator(name, fn);
  for (const r of rules) {
    const c = toJre(r.when, resolved);
    // A root condition must be all/any/not: wrap a lone leaf.
    const conditions = "all" in c || "any" in c || "not" in c ? c : { all: [c] };
    jre.addRule({ name: r.id, conditions: conditions as never, event: { type: r.id } });
  }
  const zen = new ZenEngine();
  const decision = zen.createDecision(Buffer.from(JSON.stringify(zenDecision(rules, resolved))));

  const ours = (f: Facts): Outcome => {
    const e = pack.evaluate(f);
    return { level: e.risk_level, ids: e.reasons.map((x) => x.rule_id!).sort() };
  };
  const viaJre = async (f: Facts): Promise<Outcome> => {
    const { events } = await jre.run(f);
    return outcomeOf(
      events.map((e) => byId.get(e.type)!),
      src.bands,
    );
  };
  const viaZen = async (f: Facts): Promise<Outcome> => {
    const response = await decision.evaluate(f);
    const fired = (response.result ?? {}) as Record<string, unknown>;
    return outcomeOf(
      rules.filter((r) => fired[`r_${r.id}`] === true),
      src.bands,
    );
  };

  // Same rules, same answers: check every input before timing anything.
  let agree = 0;
  for (const f of inputs) {
    const a = ours(f);
    const b = await viaJre(f);
    const c = await viaZen(f);
    const same = (x: Outcome) => x.level === a.level && x.ids.join() === a.ids.join();
    if (!same(b) || !same(c)) {
      throw new Error(
        `engines disagree on input ${f.id as string}: ours ${a.level} [${a.ids.join()}], json-rules-engine ${b.level} [${b.ids.join()}], zen ${c.level} [${c.ids.join()}]`,
      );
    }
    if (levelRank(a.level) > 0) agree++;
  }

  const seconds = opts.seconds ?? 2;
  const timeSync = (fn: (f: Facts) => unknown) => {
    let n = 0;
    const end = performance.now() + seconds * 1000;
    const t0 = performance.now();
    while (performance.now() < end) for (let i = 0; i < inputs.length; i++, n++) fn(inputs[i]!);
    return n / ((performance.now() - t0) / 1000);
  };
  const timeAsync = async (fn: (f: Facts) => Promise<unknown>) => {
    let n = 0;
    const end = performance.now() + seconds * 1000;
    const t0 = performance.now();
    while (performance.now() < end)
      for (let i = 0; i < inputs.length && performance.now() < end; i++, n++) await fn(inputs[i]!);
    return n / ((performance.now() - t0) / 1000);
  };
  timeSync((f) => pack.evaluate(f)); // warm-up
  const oursPerS = timeSync((f) => pack.evaluate(f));
  const jrePerS = await timeAsync((f) => jre.run(f));
  const zenPerS = await timeAsync((f) => decision.evaluate(f));
  return {
    ours_per_s: Math.round(oursPerS),
    json_rules_engine_per_s: Math.round(jrePerS),
    zen_engine_per_s: Math.round(zenPerS),
    agree,
  };
}

/** `sentineliq bench rules`: the figures, as a table or one JSON object. */
export async function runBenchRules(o: { seconds: number; json?: boolean | undefined }): Promise<number> {
  const { agree: _, ...figures } = await benchRulesEngines({ seconds: o.seconds });
  if (o.json) {
    process.stdout.write(JSON.stringify(figures) + "\n");
    return 0;
  }
  const row = (name: string, v: number) =>
    `${name.padEnd(20)} ${String(v).padStart(9)} evaluations/s  ${(figures.ours_per_s / v).toFixed(1).padStart(7)}x slower than ours`;
  process.stdout.write(
    [
      `default pack, payment rules without sanctions screening; the same answers from all three on every input checked first`,
      `${"sentineliq".padEnd(20)} ${String(figures.ours_per_s).padStart(9)} evaluations/s`,
      row("json-rules-engine", figures.json_rules_engine_per_s),
      row("zen-engine", figures.zen_engine_per_s),
    ].join("\n") + "\n",
  );
  return 0;
}
