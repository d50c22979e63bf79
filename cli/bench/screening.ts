/**
 * `sentineliq bench screening`: milliseconds per OFAC screening against the
 * full list (names and aliases), for listed names with a typo and for
 * ordinary names, on a fresh index (every token seen for the first time) and
 * again once its per-token cache is warm.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv, jaroWinkler, nameTokens, findOfacDir, loadOfac } from "../../rules/index.ts";

export interface ScreeningBenchResult {
  names_indexed: number;
  queries: number;
  cold_mean_ms: number;
  cold_p99_ms: number;
  warm_mean_ms: number;
  warm_p99_ms: number;
  /** Share of misspelt listed names found at the blocking threshold (0.95) and the review threshold (0.88). */
  typo_recall_095: number;
  typo_recall_088: number;
  /** The baseline, same run: the same score computed against every listed name, no index. */
  scan_mean_ms: number;
  /** How many times faster than the scan the index is (cold). */
  speedup_vs_scan: number;
}

/** Ordinary names to screen: none of them is listed. */
const FIRST = "James Maria Mohammed Wei Olga Ahmed John Fatima Ivan Ana Li Carlos Aisha Peter Yuki".split(" ");
const LAST = "Smith Garcia Khan Wang Petrova Hassan Brown Ali Ivanov Silva Chen Lopez Rahman Muller Tanaka".split(" ");

interface Query {
  text: string;
  listed: boolean;
}

export function benchScreening(dir = findOfacDir(), queries = 1000, seed = 7): ScreeningBenchResult {
  if (!dir) throw new Error("no OFAC list found: pass --sanctions <dir>");
  const listed = parseCsv(readFileSync(join(dir, "sdn.csv"), "utf8"))
    .map((r) => r[1]!)
    .filter((n) => n && n !== "-0-");
  const qs = makeQueries(listed, queries, seed);
  // Warm the JIT on another index, then time a fresh one.
  const other = loadOfac(dir).get("ofac")!;
  for (const q of qs.slice(0, 200)) other.match(q.text, 0.88);
  const index = loadOfac(dir).get("ofac")!;
  const cold = timeQueries(qs, (text) => index.match(text, 0.88));
  const warm = timeQueries(qs, (text) => index.match(text, 0.88));
  const scanMean = scanBaseline(dir, listed, qs);
  const listedCount = qs.filter((q) => q.listed).length;
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    names_indexed: index.size,
    queries,
    cold_mean_ms: r3(cold.mean),
    cold_p99_ms: r3(cold.p99),
    warm_mean_ms: r3(warm.mean),
    warm_p99_ms: r3(warm.p99),
    typo_recall_095: r3(cold.hit95 / listedCount),
    typo_recall_088: r3(cold.hit88 / listedCount),
    scan_mean_ms: r3(scanMean),
    speedup_vs_scan: Math.round(scanMean / cold.mean),
  };
}

/** Half listed names with one letter changed, half ordinary names; the same ones for the same seed. */
function makeQueries(listed: string[], queries: number, seed: number): Query[] {
  let s = seed;
  const rnd = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const typo = (name: string) => {
    const i = 1 + Math.floor(rnd() * (name.length - 1));
    return name.slice(0, i) + pick([..."AEIOUNRST"]) + name.slice(i + 1);
  };
  return Array.from({ length: queries }, (_, i) =>
    i % 2
      ? { text: typo(pick(listed)), listed: true }
      : { text: `${pick(FIRST)} ${pick(LAST)}${pick(["", "", " Trading", " Holdings"])}`, listed: false },
  );
}

function timeQueries(qs: Query[], match: (text: string) => { score: number } | undefined | null) {
  const ms: number[] = [];
  let hit95 = 0;
  let hit88 = 0;
  for (const q of qs) {
    const t = performance.now();
    const m = match(q.text);
    ms.push(performance.now() - t);
    if (q.listed && m) {
      hit88++;
      if (m.score >= 0.95) hit95++;
    }
  }
  ms.sort((a, b) => a - b);
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  return { mean, p99: ms[Math.floor(ms.length * 0.99)]!, hit95, hit88 };
}

/** The baseline: a plain scan of every listed name and alias (on a sample of the queries: it is slow); ms per query. */
function scanBaseline(dir: string, listed: string[], qs: Query[]): number {
  const listedTokens = [...listed, ...parseCsv(readFileSync(join(dir, "alt.csv"), "utf8")).map((r) => r[3] ?? "")]
    .map(nameTokens)
    .filter((t) => t.length > 0);
  const sample = qs.filter((_, i) => i % 20 === 0);
  const t0 = performance.now();
  for (const q of sample) {
    const qt = nameTokens(q.text);
    let best = 0;
    for (const nt of listedTokens) best = Math.max(best, tokenScore(qt, nt));
    if (best < 0) throw new Error("unreachable");
  }
  return (performance.now() - t0) / sample.length;
}

/** `sentineliq bench screening`: the figures, one per line or as one JSON object. */
export function runBenchScreening(o: { sanctions?: string | undefined; json?: boolean | undefined }): number {
  const r = benchScreening(o.sanctions);
  const lines = Object.entries(r).map(([k, v]) => `${k.padEnd(18)} ${v}`);
  process.stdout.write((o.json ? JSON.stringify(r) : lines.join("\n")) + "\n");
  return 0;
}

/** The index's score (best-partner Jaro-Winkler, floor 0.8, weighted by length), computed directly. */
function tokenScore(a: string[], b: string[]): number {
  let sum = 0;
  const bestB = new Float64Array(b.length);
  for (const x of a) {
    let best = 0;
    for (let j = 0; j < b.length; j++) {
      const y = b[j]!;
      const s = (x.length <= 2 || y.length <= 2) && x !== y ? 0 : jaroWinkler(x, y);
      const v = s >= 0.8 ? s : 0;
      if (v > best) best = v;
      if (v > bestB[j]!) bestB[j] = v;
    }
    sum += best * x.length;
  }
  let weight = 0;
  for (const x of a) weight += x.length;
  for (let j = 0; j < b.length; j++) {
    sum += bestB[j]! * b[j]!.length;
    weight += b[j]!.length;
  }
  return sum / weight;
}
