/**
 * The import boundaries (see test/helpers/boundaries.ts) hold over the whole
 * tree, and the checker catches each kind of crossing in a graph built to
 * cross it.
 */
import { globSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { boundaryViolations, importsOf, moduleOf, readGraph, type Edge } from "./helpers/boundaries.ts";

const ROOT = join(import.meta.dirname, "..");
const files = globSync("{bin,cli,coordinator,examples,lib,node,protocol,rules,sdk/src,test}/**/*.ts", { cwd: ROOT })
  .map((f) => f.split("\\").join("/"))
  .sort();

/** A made-up tree: path → source. */
function graphOf(tree: Record<string, string>): { edges: Edge[]; files: string[] } {
  const names = Object.keys(tree);
  return { edges: names.flatMap((from) => importsOf(from, tree[from]!).map((to) => ({ from, to }))), files: names };
}
const check = (tree: Record<string, string>) => {
  const g = graphOf(tree);
  return boundaryViolations(g.edges, g.files);
};

const clean: Record<string, string> = {
  "protocol/index.ts": 'export * from "./log/merkle.ts"; import { z } from "zod";',
  "protocol/log/merkle.ts": 'import { createHash } from "node:crypto";',
  "lib/db.ts": 'import { SiqError } from "../protocol/index.ts";',
  "lib/bus/index.ts": 'export * from "./types.ts";',
  "lib/bus/types.ts": "export interface Bus {}",
  "coordinator/index.ts": 'import { LogStore } from "./log/index.ts"; import type { Bus } from "../lib/bus/index.ts";',
  "coordinator/log/index.ts": 'export * from "./store.ts";',
  "coordinator/log/store.ts": 'import { openDb } from "../../lib/db.ts"; import "../config.ts";',
  "coordinator/config.ts": "export const config = {};",
  "node/index.ts": 'import { merkle } from "../protocol/index.ts";',
  "cli/main.ts": 'import "../node/index.ts"; import "../coordinator/index.ts"; import "@sentineliq/sdk";',
  "sdk/src/index.ts": "export const sdk = 1;",
  "coordinator/log/store.test.ts": 'import { nats } from "../../test/helpers/nats.ts"; import "./store.ts";',
  "test/helpers/nats.ts": "export const nats = 1;",
  "test/log.e2e.test.ts": 'import { LogStore } from "../coordinator/log/store.ts"; import "./helpers/nats.ts";',
};

describe("import boundaries", () => {
  it("hold over the whole tree", () => {
    expect(files.length).toBeGreaterThan(200);
    expect(boundaryViolations(readGraph(ROOT, files), files)).toEqual([]);
  });

  it("the coordinator needs nothing of the rule engine", () => {
    const edges = readGraph(ROOT, files).filter(
      (e) => e.from.startsWith("coordinator/") && !e.from.endsWith(".test.ts"),
    );
    expect(edges.length).toBeGreaterThan(50);
    expect(edges.filter((e) => e.to.startsWith("rules/"))).toEqual([]);
  });

  it("the checker passes a tree that keeps them", () => {
    expect(check(clean)).toEqual([]);
  });

  it.each([
    [
      "node imports coordinator",
      { "node/x.ts": 'import { c } from "../coordinator/index.ts";' },
      /never import each other/,
    ],
    [
      "coordinator imports node, dynamically",
      { "coordinator/y.ts": 'await import("../node/index.ts");' },
      /never import/,
    ],
    [
      "coordinator reaches node through lib",
      { "lib/relay.ts": 'export * from "../node/index.ts";', "coordinator/z.ts": 'import "../lib/relay.ts";' },
      /coordinator\/z\.ts → lib\/relay\.ts → node\/index\.ts: coordinator\/ reaches node\//,
    ],
    [
      "protocol imports lib",
      { "protocol/bad.ts": 'import type { Bus } from "../lib/bus/index.ts";' },
      /protocol\/ imports nothing/,
    ],
    [
      "protocol imports the sdk by name",
      { "protocol/sdk.ts": 'import "@sentineliq/sdk";' },
      /protocol\/ imports nothing/,
    ],
    [
      "cli reaches into coordinator/log",
      { "cli/log.ts": 'import "../coordinator/log/store.ts";' },
      /import coordinator\/log\/index\.ts/,
    ],
    [
      "a submodule reaches into another",
      { "coordinator/z/a.ts": 'import "../log/store.ts";' },
      /outside coordinator\/log\//,
    ],
    [
      "rules reaches into protocol/log",
      { "rules/r.ts": 'import "../protocol/log/merkle.ts";' },
      /import protocol\/index\.ts/,
    ],
    [
      "a type import into lib/bus",
      { "node/n.ts": 'type B = import("../lib/bus/types.ts").Bus;' },
      /import lib\/bus\/index\.ts/,
    ],
    ["a node test into lib/bus", { "node/n.test.ts": 'import "../lib/bus/types.ts";' }, /import lib\/bus\/index\.ts/],
    ["product code imports a test helper", { "lib/x.ts": 'import "../test/helpers/nats.ts";' }, /never imports tests/],
    [
      "a module without its index.ts",
      { "coordinator/payments/service.ts": "export {};" },
      /coordinator\/payments\/ has no index\.ts/,
    ],
  ])("the checker fails when %s", (_, extra, expected) => {
    const found = check({ ...clean, ...extra });
    expect(found.length).toBeGreaterThan(0);
    expect(found.join("\n")).toMatch(expected);
  });

  it("names each file's module and its entry", () => {
    expect(moduleOf("coordinator/log/store.ts")).toEqual({
      root: "coordinator/log",
      entry: "coordinator/log/index.ts",
    });
    expect(moduleOf("coordinator/config.ts")).toEqual({ root: "coordinator", entry: "coordinator/index.ts" });
    expect(moduleOf("lib/db.ts")).toEqual({ root: "lib/db.ts", entry: "lib/db.ts" });
    expect(moduleOf("protocol/log/tiles.ts")).toEqual({ root: "protocol", entry: "protocol/index.ts" });
    expect(moduleOf("cli/bench/rules.ts")).toEqual({ root: "cli", entry: "cli/main.ts" });
    expect(moduleOf("test/helpers/nats.ts")).toBeUndefined();
  });
});
