/**
 * The OFAC SDN list in its legacy CSV layout (sdn.csv, alt.csv, add.csv),
 * loaded into two screening indexes: "ofac" (every listed name and alias) and
 * "ofac_addresses" (every listed address).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Screeners } from "../engine/condition.ts";
import { parseCsv } from "./csv.ts";
import { NameIndex, type IndexedName } from "./name-index.ts";

export interface SanctionsLists extends Screeners {
  get(list: string): NameIndex | undefined;
  readonly entities: number;
  readonly source: string;
}

/**
 * The lists, built on first use (or by `warm()`): a node that never screens a
 * name never pays for the index, and one that does builds it once.
 */
export function lazyOfac(dir: string): SanctionsLists & { warm(): void; readonly loaded: boolean } {
  let lists: SanctionsLists | undefined;
  const load = () => (lists ??= loadOfac(dir));
  return {
    get: (name) => load().get(name),
    get entities() {
      return load().entities;
    },
    source: resolve(dir),
    warm: () => void load(),
    get loaded() {
      return lists !== undefined;
    },
  };
}

const NULL = "-0-";
const clean = (s: string | undefined) => (s === undefined || s.trim() === NULL ? "" : s.trim());

export function loadOfac(dir: string): SanctionsLists {
  const read = (f: string) => parseCsv(readFileSync(join(dir, f), "utf8"));
  const sdn = read("sdn.csv");
  const names: IndexedName[] = sdn.map((r) => ({ id: clean(r[0]), name: clean(r[1]) })).filter((n) => n.id && n.name);
  const ids = new Set(names.map((n) => n.id));
  const exists = (id: string) => ids.has(id);
  if (existsSync(join(dir, "alt.csv"))) {
    for (const r of read("alt.csv"))
      if (exists(clean(r[0])) && clean(r[3])) names.push({ id: clean(r[0]), name: clean(r[3]) });
  }
  const addresses: IndexedName[] = [];
  if (existsSync(join(dir, "add.csv"))) {
    for (const r of read("add.csv")) {
      const text = [clean(r[2]), clean(r[3]), clean(r[4])].filter(Boolean).join(", ");
      if (exists(clean(r[0])) && clean(r[2])) addresses.push({ id: clean(r[0]), name: text });
    }
  }
  const lists = new Map([
    ["ofac", new NameIndex(names)],
    ["ofac_addresses", new NameIndex(addresses)],
  ]);
  return { get: (name) => lists.get(name), entities: ids.size, source: resolve(dir) };
}

/**
 * Where the shipped data lives: `data/ofac` in the repository, else
 * `shared/data/ofac` beside it (or beside any folder above it).
 */
export function findOfacDir(from: string = dirname(new URL(import.meta.url).pathname)): string | undefined {
  let dir = resolve(from);
  for (;;) {
    for (const candidate of [join(dir, "data", "ofac"), join(dir, "shared", "data", "ofac")]) {
      if (existsSync(join(candidate, "sdn.csv"))) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
