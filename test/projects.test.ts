/**
 * The `unit` vitest project is what `npm run test:unit` runs without NATS,
 * PostgreSQL or a network of processes: a test that starts one must be in the
 * `e2e` list of `vitest.config.ts`.
 */
import { globSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { e2e } from "../vitest.config.ts";

const ROOT = join(import.meta.dirname, "..");
const all = globSync("{bin,cli,coordinator,examples,lib,node,protocol,rules,sdk/src,test}/**/*.test.ts", { cwd: ROOT });
const inE2e = new Set(e2e.flatMap((pattern) => globSync(pattern, { cwd: ROOT })));

/** Imports of what starts real services: the network, NATS, store and dev helpers, JetStream, the CLI. */
const SERVICES = [
  /^import [^;]*from ["'][^"']*helpers\/(network|nats|db|dev|settlement)\.ts["']/m,
  /^import \{[^}]*\b(connectJetStream|startDev|BIN)\b[^}]*\} from/m,
];
const needsServices = (text: string) => SERVICES.some((p) => p.test(text));

describe("vitest projects", () => {
  it("puts every test that starts services in e2e", () => {
    const unit = all.filter((f) => !inE2e.has(f));
    expect(unit.length).toBeGreaterThan(30);
    expect(unit.filter((f) => needsServices(readFileSync(join(ROOT, f), "utf8")))).toEqual([]);
  });

  it("recognises a test that starts services, however it does", () => {
    expect(needsServices('import { startNetwork } from "../../test/helpers/network.ts";')).toBe(true);
    expect(needsServices('import { testNats } from "../../test/helpers/nats.ts";')).toBe(true);
    expect(needsServices('import { connectJetStream, memoryBus } from "../lib/bus/index.ts";')).toBe(true);
    expect(needsServices('import { BIN } from "../processes.ts";')).toBe(true);
    expect(needsServices('import { memoryBus } from "../lib/bus/index.ts";')).toBe(false);
    // Named in a string, not imported: a fixture.
    expect(needsServices(`const tree = { "a.ts": 'import "../test/helpers/nats.ts";' };`)).toBe(false);
  });

  it("matches every e2e pattern to a file", () => {
    for (const pattern of e2e) expect(globSync(pattern, { cwd: ROOT }).length, pattern).toBeGreaterThan(0);
  });
});
