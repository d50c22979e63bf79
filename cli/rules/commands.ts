/** `sentineliq rules check|test|evaluate`: the rule author's tools. */
import { resolve } from "node:path";
import { sanctionsLists } from "../../node/index.ts";
import type { RiskLevel } from "../../protocol/index.ts";
import { compilePack, DEFAULT_PACK_DIR, isRuleError, loadPackDir, type CompiledPack } from "../../rules/index.ts";
import { progress } from "../shared/progress.ts";
import { evaluateAmlsim } from "./amlsim.ts";
import { runCaseFile, testFiles } from "./cases.ts";

const say = (s: string) => process.stdout.write(s + "\n");
const complain = (s: string) => process.stderr.write(s + "\n");

/** Loads and compiles a pack; prints its error (file:line:column) and returns undefined if it is broken. */
export function packOrError(dir: string, sanctionsDir?: string): CompiledPack | undefined {
  try {
    const screeners = sanctionsLists(sanctionsDir);
    return compilePack(loadPackDir(resolve(dir)), screeners ? { screeners } : {});
  } catch (e) {
    complain(`✗ ${isRuleError(e) ? e.message : (e as Error).message}`);
    return undefined;
  }
}

export function runCheck(dir: string): number {
  try {
    const src = loadPackDir(resolve(dir));
    const pack = compilePack(src);
    const layers = new Map<string, number>();
    for (const r of src.rules) layers.set(r.layer, (layers.get(r.layer) ?? 0) + 1);
    say(`✓ pack ${pack.name} ${pack.hash}`);
    say(
      `  ${src.rules.length} rules (${[...layers].map(([l, n]) => `${n} ${l}`).join(", ")}), ${pack.velocity.length} velocity windows, ${src.orgs.length} organisation overrides`,
    );
    // Test files must parse too: a broken test is a broken pack.
    for (const f of testFiles(resolve(dir))) runCaseFile(f, pack);
    return 0;
  } catch (e) {
    complain(`✗ ${isRuleError(e) ? e.message : (e as Error).message}`);
    return 1;
  }
}

export function runTests(dir: string, opts: { sanctions?: string }): number {
  const pack = packOrError(dir, opts.sanctions);
  if (!pack) return 1;
  const files = testFiles(resolve(dir));
  if (files.length === 0) {
    complain(`✗ no *.test.yaml files in ${dir}`);
    return 1;
  }
  let passed = 0;
  let failed = 0;
  for (const f of files) {
    let results;
    try {
      results = runCaseFile(f, pack);
    } catch (e) {
      complain(`✗ ${(e as Error).message}`);
      failed++;
      continue;
    }
    for (const r of results) {
      if (r.ok) passed++;
      else failed++;
      say(`${r.ok ? "✓" : "✗"} ${f.split("/").pop()}: ${r.name}`);
      for (const p of r.problems) say(`    ${p}`);
    }
  }
  say(`rules: ${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

export async function runEvaluate(opts: {
  amlsim: string;
  rules?: string;
  minLevel?: RiskLevel;
  json?: boolean;
  sanctions?: string;
}): Promise<number> {
  const pack = packOrError(opts.rules ?? DEFAULT_PACK_DIR, opts.sanctions);
  if (!pack) return 1;
  let bar: ReturnType<typeof progress> | undefined;
  let shown = 0;
  const r = await evaluateAmlsim(resolve(opts.amlsim), pack, {
    minLevel: opts.minLevel ?? "LOW",
    onProgress: (done, total) => {
      bar ??= progress("evaluating", total);
      bar.tick(done - shown);
      shown = done;
    },
  });
  bar?.done();
  if (opts.json) {
    say(JSON.stringify({ accounts_flagged: r.accounts_flagged, precision: r.precision, recall: r.recall }));
    return 0;
  }
  say(
    `${r.transactions} transfers, ${r.fraud_accounts} accounts labelled fraud, pack ${pack.name} ${pack.hash.slice(0, 12)}`,
  );
  say(
    `flagged ${r.accounts_flagged} accounts (alerts on ${r.payments_flagged} payments${opts.minLevel && opts.minLevel !== "LOW" ? ` at ${opts.minLevel} or above` : ""})`,
  );
  say(`precision ${r.precision.toFixed(3)}   recall ${r.recall.toFixed(3)}`);
  for (const [code, x] of Object.entries(r.reasons).sort((a, b) => b[1].accounts - a[1].accounts)) {
    say(
      `  ${code.padEnd(24)} ${String(x.payments).padStart(6)} payments ${String(x.accounts).padStart(6)} accounts   precision ${x.precision.toFixed(3)}`,
    );
  }
  return 0;
}
