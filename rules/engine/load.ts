/** Reads a pack directory: YAML parsed and validated, errors pointing at file:line:column. */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { isMap, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { sha256Hex } from "../../protocol/canonical.ts";
import { PackFile, type Bands, type Rule } from "./schema.ts";

export class RuleError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  constructor(file: string, line: number, column: number, message: string) {
    super(`${file}:${line}:${column}: ${message}`);
    this.name = "RuleError";
    this.file = file;
    this.line = line;
    this.column = column;
  }
}

export interface PackSource {
  name: string;
  /** SHA-256 over every file's name and bytes, in name order. */
  hash: string;
  bands: Bands;
  lists: Record<string, (string | number | boolean)[]>;
  rules: Rule[];
}

const DEFAULT_BANDS: Bands = { MEDIUM: 30, HIGH: 60, CRITICAL: 90 };

export function loadPackDir(dir: string): PackSource {
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !f.endsWith(".test.yaml"))
    .sort();
  return loadPackFiles(files.map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), "utf8") })));
}

export function loadPackFiles(files: { path: string; text: string }[]): PackSource {
  const hash = sha256Hex(files.map((f) => `${basename(f.path)}\n${f.text.length}\n${f.text}`).join("\n"));
  const pack: PackSource = { name: "unnamed", hash, bands: DEFAULT_BANDS, lists: {}, rules: [] };
  const ids = new Set<string>();
  for (const f of files) {
    const parsed = parseFile(f.path, f.text);
    if (parsed.pack) pack.name = parsed.pack;
    if (parsed.bands) pack.bands = parsed.bands;
    Object.assign(pack.lists, parsed.lists ?? {});
    for (const rule of parsed.rules ?? []) {
      if (ids.has(rule.id)) throw new RuleError(f.path, 1, 1, `rule id "${rule.id}" is defined twice`);
      ids.add(rule.id);
      pack.rules.push(rule);
    }
  }
  return pack;
}

function parseFile(path: string, text: string) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = lineCounter.linePos(err.pos[0]);
    throw new RuleError(path, pos.line, pos.col, err.message.split("\n")[0] ?? "invalid YAML");
  }
  const result = PackFile.safeParse(doc.toJS() ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const node = nodeAt(doc.contents as Node | null, issue.path as (string | number)[]);
  const pos = lineCounter.linePos(node?.range?.[0] ?? 0);
  throw new RuleError(path, pos.line, pos.col, `${issue.path.join(".") || "(root)"}: ${issue.message}`);
}

/** The deepest YAML node along `path`, for error positions. */
function nodeAt(node: Node | null, path: (string | number)[]): Node | null {
  let current = node;
  for (const key of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => (p.key as { value?: unknown })?.value === key);
      if (!pair) return current;
      current = (pair.value as Node) ?? (pair.key as Node);
    } else if (isSeq(current) && typeof key === "number") {
      const next = current.items[key] as Node | undefined;
      if (!next) return current;
      current = next;
    } else return current;
  }
  return current;
}
