/**
 * The import graph of our TypeScript (static, re-export, dynamic and type
 * imports, read with `ts.preProcessFile`) and the boundaries it must keep:
 * - `node/` and `coordinator/` never import each other, directly or through
 *   anything else (production code; only `cli/` assembles both);
 * - `protocol/` imports nothing of ours outside `protocol/` (npm packages are fine);
 * - a module is imported from outside its folder only through its entry:
 *   `protocol/`, `rules/`, `node/`, `coordinator/` and each `coordinator/<x>/`,
 *   each `lib/<x>/`, and `sdk/src/` through their `index.ts`, `cli/` through
 *   `cli/main.ts`; each file directly in `lib/` is a module of its own. Code
 *   inside a module's folder (its tests included) may use its internals; the
 *   integration tests in `test/` may reach into any module;
 * - product code never imports tests or test helpers;
 * - every module has its entry file.
 */
import { readFileSync } from "node:fs";
import { dirname, join, posix } from "node:path";
import ts from "typescript";

export interface Edge {
  from: string;
  to: string;
}

export interface Module {
  root: string;
  entry: string;
}

/** Our own packages, imported by name. */
const OURS: Record<string, string> = { "@sentineliq/sdk": "sdk/src/index.ts" };

/** The files `file` imports (repository-relative paths); npm packages and node: builtins are left out. */
export function importsOf(file: string, text: string): string[] {
  const specs = ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
  return specs.flatMap((s) =>
    s.startsWith(".") ? [posix.normalize(posix.join(posix.dirname(file), s))] : (OURS[s] ?? []),
  );
}

export function readGraph(root: string, files: readonly string[]): Edge[] {
  return files.flatMap((from) => importsOf(from, readFileSync(join(root, from), "utf8")).map((to) => ({ from, to })));
}

const TOP_MODULES = new Set(["protocol", "rules", "node", "coordinator", "cli"]);

/** The innermost module holding `file`; undefined for what is no module (bin/, examples/, test/). */
export function moduleOf(file: string): Module | undefined {
  const parts = file.split("/");
  const top = parts[0]!;
  if (top === "sdk") return parts[1] === "src" ? { root: "sdk/src", entry: "sdk/src/index.ts" } : undefined;
  if (top === "lib") {
    if (parts.length === 2) return { root: file, entry: file };
    return { root: `lib/${parts[1]}`, entry: `lib/${parts[1]}/index.ts` };
  }
  if (top === "coordinator" && parts.length > 2)
    return { root: `coordinator/${parts[1]}`, entry: `coordinator/${parts[1]}/index.ts` };
  if (!TOP_MODULES.has(top) || parts.length < 2) return undefined;
  return { root: top, entry: top === "cli" ? "cli/main.ts" : `${top}/index.ts` };
}

const inside = (file: string, root: string) => file === root || file.startsWith(root + "/");
export const isTest = (file: string) => file.endsWith(".test.ts") || inside(file, "test");
const top = (file: string) => file.split("/")[0]!;

function directViolations(e: Edge): string[] {
  const out: string[] = [];
  const [a, b] = [top(e.from), top(e.to)];
  if ((a === "node" && b === "coordinator") || (a === "coordinator" && b === "node"))
    out.push(`${e.from} imports ${e.to}: node/ and coordinator/ never import each other`);
  if (a === "protocol" && b !== "protocol") out.push(`${e.from} imports ${e.to}: protocol/ imports nothing of ours`);
  if (isTest(e.to) && !isTest(e.from)) out.push(`${e.from} imports ${e.to}: product code never imports tests`);
  const m = moduleOf(e.to);
  if (m && !inside(e.from, m.root) && e.to !== m.entry && !inside(e.from, "test"))
    out.push(`${e.from} imports ${e.to}: outside ${m.root}/, import ${m.entry}`);
  return out;
}

/** Production paths from `from`'s folder into `into`'s, as "a → b → c". */
function reaches(edges: readonly Edge[], from: string, into: string): string[] {
  const next = new Map<string, string[]>();
  for (const e of edges) if (!isTest(e.from) && !isTest(e.to)) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const out: string[] = [];
  for (const start of [...next.keys()].filter((f) => top(f) === from)) {
    const via = new Map<string, string>([[start, ""]]);
    const queue = [start];
    while (queue.length > 0) {
      const f = queue.shift()!;
      if (top(f) === into) {
        const path = [f];
        for (let p = via.get(f)!; p; p = via.get(p)!) path.unshift(p);
        if (path.length > 2) out.push(`${path.join(" → ")}: ${from}/ reaches ${into}/ through another module`);
        break;
      }
      for (const t of next.get(f) ?? []) {
        if (via.has(t)) continue;
        via.set(t, f);
        queue.push(t);
      }
    }
  }
  return out;
}

/** Every boundary `edges` cross, as readable lines; `files` are all the files (for missing entries). */
export function boundaryViolations(edges: readonly Edge[], files: readonly string[]): string[] {
  const known = new Set(files);
  const entries = new Set(files.flatMap((f) => moduleOf(f)?.entry ?? []));
  return [
    ...edges.flatMap(directViolations),
    ...reaches(edges, "node", "coordinator"),
    ...reaches(edges, "coordinator", "node"),
    ...[...entries].filter((e) => !known.has(e)).map((e) => `${dirname(e)}/ has no ${e.split("/").pop()}`),
  ];
}
