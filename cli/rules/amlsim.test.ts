/**
 * `sentineliq rules evaluate --amlsim <dir> --json` on both shipped AMLSim
 * sets, unpacked into a temporary folder (the data is never committed).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "../launcher/processes.ts";

function findAmlsim(): string | undefined {
  for (let dir = resolve(import.meta.dirname); ; dir = dirname(dir)) {
    for (const candidate of [join(dir, "data", "amlsim"), join(dir, "shared", "data", "amlsim")]) {
      if (existsSync(join(candidate, "20K_fanin200.tgz"))) return candidate;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

const data = findAmlsim();
const work = mkdtempSync(join(tmpdir(), "siq-amlsim-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!data)("detection measured on AMLSim", () => {
  it.each(["20K_fanin200", "20K_cycle200"])(
    "%s: prints accounts flagged, precision and recall",
    (set) => {
      execFileSync("tar", ["xzf", join(data!, `${set}.tgz`), "-C", work]);
      const folder = readdirSync(work, { recursive: true, encoding: "utf8" }).find((p) =>
        p.endsWith(`${set}/transactions.csv`),
      )!;
      const out = execFileSync(
        process.execPath,
        [BIN, "rules", "evaluate", "--amlsim", join(work, dirname(folder)), "--json"],
        { encoding: "utf8" },
      );
      const r = JSON.parse(out.trim());
      expect(Object.keys(r).sort()).toEqual(["accounts_flagged", "precision", "recall"]);
      expect(r.accounts_flagged).toBeGreaterThan(100);
      expect(r.precision).toBeGreaterThan(0.85);
      expect(r.recall).toBeGreaterThan(0.25);
    },
    120_000,
  );
});
