import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sanctionsLists } from "../../node/index.ts";
import { DEFAULT_PACK_DIR, loadPack, RuleError } from "../../rules/index.ts";
import { runCaseFile, testFiles } from "./cases.ts";

describe("rule test cases", () => {
  const screeners = sanctionsLists(undefined);
  const pack = loadPack(undefined, undefined, screeners ? { screeners } : {});

  it.each(testFiles(DEFAULT_PACK_DIR).map((f) => [f.split("/").pop()!, f]))("the default pack passes %s", (_, file) => {
    const results = runCaseFile(file, pack);
    expect(results.length).toBeGreaterThan(0);
    expect(results.flatMap((r) => r.problems)).toEqual([]);
  });

  it("reports a wrong expectation with its file and line, and a malformed case with its position", () => {
    const dir = mkdtempSync(join(tmpdir(), "siq-cases-"));
    try {
      const file = join(dir, "x.test.yaml");
      writeFileSync(
        file,
        "cases:\n  - name: wrong\n    steps:\n      - payment: {}\n        expect: { level: HIGH, reasons: [NOPE] }\n",
      );
      const [r] = runCaseFile(file, pack);
      expect(r!.ok).toBe(false);
      expect(r!.problems[0]).toMatch(/x\.test\.yaml:4: expected HIGH, got LOW/);
      expect(r!.problems[1]).toMatch(/expected reason NOPE/);
      writeFileSync(file, "cases:\n  - name: bad\n    steps:\n      - { payment: {}, event: {} }\n");
      expect(() => runCaseFile(file, pack)).toThrow(RuleError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
