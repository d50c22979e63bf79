/**
 * Reads a pack directory: every `*.yaml` (and `orgs/*.yaml`), parsed and
 * validated, with errors pointing at file:line:column. Test files
 * (`*.test.yaml`) are not part of the pack.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { sha256Hex } from "../../protocol/index.ts";
import { RuleError, yamlError, zodError, type Locator, locator } from "./errors.ts";
import { OrgFile, PackFile, type Bands, type Rule, type Velocity } from "./schema.ts";

export { RuleError } from "./errors.ts";

export type Scalar = string | number | boolean;

export interface OrgSource {
  org: string;
  params: Record<string, Scalar>;
  lists: Record<string, Scalar[]>;
  disable: string[];
  rules: Rule[];
  agents: Record<string, Record<string, Scalar>>;
  at: Locator;
}

export interface PackSource {
  name: string;
  /** SHA-256 over every file's name and bytes, in name order. */
  hash: string;
  bands: Bands;
  params: Record<string, Scalar>;
  lists: Record<string, Scalar[]>;
  velocity: Record<string, Velocity>;
  rules: Rule[];
  orgs: OrgSource[];
  /** Where each rule ("rule:<id>"), velocity ("velocity:<name>") or org ("org:<id>") was written. */
  where: Map<string, Locator>;
}

export interface SourceFile {
  /** Path as shown in errors; its part after the pack directory names it in the hash. */
  path: string;
  name?: string;
  text: string;
}

const DEFAULT_BANDS: Bands = { MEDIUM: 30, HIGH: 60, CRITICAL: 90 };
const isPackFile = (f: string) => /\.ya?ml$/.test(f) && !/\.test\.ya?ml$/.test(f);

export function packFiles(dir: string): SourceFile[] {
  const top = readdirSync(dir).filter(isPackFile).sort();
  const orgDir = join(dir, "orgs");
  const orgs = existsSync(orgDir)
    ? readdirSync(orgDir)
        .filter(isPackFile)
        .sort()
        .map((f) => `orgs/${f}`)
    : [];
  return [...top, ...orgs].map((name) => ({
    path: join(dir, name),
    name,
    text: readFileSync(join(dir, name), "utf8"),
  }));
}

export function loadPackDir(dir: string): PackSource {
  return loadPackFiles(packFiles(dir));
}

export function loadPackFiles(files: SourceFile[]): PackSource {
  const named = files.map((f) => ({ ...f, name: f.name ?? f.path.split("/").pop()! }));
  const hash = sha256Hex(named.map((f) => `${f.name}\n${f.text.length}\n${f.text}`).join("\n"));
  const pack: PackSource = {
    name: "unnamed",
    hash,
    bands: DEFAULT_BANDS,
    params: {},
    lists: {},
    velocity: {},
    rules: [],
    orgs: [],
    where: new Map(),
  };
  const defined = (key: string, at: Locator, what: string) => {
    const first = pack.where.get(key);
    if (first) throw at([], `${what} is defined twice (first at ${first.file}:${first([]).line})`);
    pack.where.set(key, at);
  };
  for (const f of named) {
    const { data, at } = parseFile(f.path, f.text);
    if ("org" in data) {
      const o = data;
      defined(`org:${o.org}`, at, `org "${o.org}"`);
      const agents = Object.fromEntries(Object.entries(o.agents ?? {}).map(([k, v]) => [k, v.params]));
      pack.orgs.push({
        org: o.org,
        params: o.params ?? {},
        lists: o.lists ?? {},
        disable: o.disable ?? [],
        rules: o.rules ?? [],
        agents,
        at,
      });
      (o.rules ?? []).forEach((r, i) => pack.where.set(`org:${o.org}:rule:${r.id}`, at.sub(["rules", i])));
      continue;
    }
    const p = data;
    if (p.pack) pack.name = p.pack;
    if (p.bands) pack.bands = p.bands;
    for (const [k, v] of Object.entries(p.params ?? {})) {
      defined(`param:${k}`, at.sub(["params", k]), `parameter "${k}"`);
      pack.params[k] = v;
    }
    for (const [k, v] of Object.entries(p.lists ?? {})) {
      defined(`list:${k}`, at.sub(["lists", k]), `list "${k}"`);
      pack.lists[k] = v;
    }
    for (const [k, v] of Object.entries(p.velocity ?? {})) {
      defined(`velocity:${k}`, at.sub(["velocity", k]), `velocity "${k}"`);
      pack.velocity[k] = v;
    }
    (p.rules ?? []).forEach((rule, i) => {
      defined(`rule:${rule.id}`, at.sub(["rules", i]), `rule id "${rule.id}"`);
      pack.rules.push(rule);
    });
  }
  for (const name of Object.keys(pack.params)) {
    if (name in pack.lists) throw pack.where.get(`param:${name}`)!([], `"${name}" is both a parameter and a list`);
  }
  return pack;
}

function parseFile(path: string, text: string): { data: PackFile | OrgFile; at: Locator } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  if (doc.errors[0]) throw yamlError(path, lineCounter, doc.errors[0]);
  const at = locator(path, doc, lineCounter);
  const raw: unknown = doc.toJS() ?? {};
  const schema = raw && typeof raw === "object" && "org" in raw ? OrgFile : PackFile;
  const result = schema.safeParse(raw);
  if (!result.success) throw zodError(at, result.error);
  return { data: result.data, at };
}

export function isRuleError(e: unknown): e is RuleError {
  return e instanceof RuleError;
}
