/**
 * The Merkle tree against all 196 RFC 9162 vectors from transparency-dev/merkle
 * (those marked wantErr must be rejected), and property tests over random trees.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  consistencyRanges,
  EMPTY_ROOT,
  inclusionRanges,
  leafHash,
  nodeHash,
  rangeHash,
  rootFromLeafHashes,
  rootFromPath,
  treeWithPaths,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";

// Shipped in the repository (data/merkle-vectors, from transparency-dev/merkle).
const VECTORS = join(import.meta.dirname, "../../data/merkle-vectors/testdata");
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
const b64 = (s: string) => Buffer.from(s, "base64");
const load = (kind: string) =>
  files(join(VECTORS, kind)).map((f) => ({
    name: f.slice(VECTORS.length + 1),
    v: JSON.parse(readFileSync(f, "utf8")),
  }));

describe("RFC 9162 vectors", () => {
  const inclusion = load("inclusion");
  const consistency = load("consistency");

  it("has all 196 cases", () => {
    expect(inclusion.length + consistency.length).toBe(196);
  });

  it.each(inclusion)("inclusion $name", ({ v }) => {
    const ok = verifyInclusion(b64(v.leafHash), v.leafIdx, v.treeSize, (v.proof ?? []).map(b64), b64(v.root));
    expect(ok).toBe(!v.wantErr);
  });

  it.each(consistency)("consistency $name", ({ v }) => {
    const ok = verifyConsistency(v.size1, v.size2, b64(v.root1), b64(v.root2), (v.proof ?? []).map(b64));
    expect(ok).toBe(!v.wantErr);
  });
});

/** Naive MTH straight from RFC 9162 §2.1.1, for comparison. */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

const tree = (n: number) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
const prover = (leaves: Buffer[]) => (lo: number, hi: number) =>
  rangeHash(lo, hi, (h, i) => mth(leaves.slice(i * 2 ** h, (i + 1) * 2 ** h)));

describe("properties", () => {
  it("the stack root equals the recursive MTH", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 300 }), (n) => rootFromLeafHashes(tree(n)).equals(mth(tree(n)))));
  });

  it("every inclusion proof verifies, and fails for another leaf or a changed hash", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 600 }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1))),
        async ([n, i]) => {
          const leaves = tree(n);
          const root = mth(leaves);
          const prove = prover(leaves);
          const proof = await Promise.all(inclusionRanges(i, n).map(([lo, hi]) => prove(lo, hi)));
          expect(verifyInclusion(leaves[i]!, i, n, proof, root)).toBe(true);
          expect(verifyInclusion(leafHash(Buffer.from("forged")), i, n, proof, root)).toBe(false);
          if (proof.length > 0) {
            const bad = proof.map((p, j) => (j === 0 ? nodeHash(p, p) : p));
            expect(verifyInclusion(leaves[i]!, i, n, bad, root)).toBe(false);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("every consistency proof verifies, and fails once an old leaf is rewritten", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 600 }).chain((n) => fc.tuple(fc.integer({ min: 1, max: n }), fc.constant(n))),
        async ([m, n]) => {
          const leaves = tree(n);
          const prove = prover(leaves);
          const proof = await Promise.all(consistencyRanges(m, n).map(([lo, hi]) => prove(lo, hi)));
          expect(verifyConsistency(m, n, mth(leaves.slice(0, m)), mth(leaves), proof)).toBe(true);
          const forked = [...leaves];
          forked[m - 1] = leafHash(Buffer.from("rewritten"));
          expect(verifyConsistency(m, n, mth(forked.slice(0, m)), mth(leaves), proof)).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("every path of an in-memory tree leads back to its root, and not from another index", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), (n) => {
        const leaves = tree(n);
        const { root, paths } = treeWithPaths(leaves);
        expect(root.equals(mth(leaves))).toBe(true);
        leaves.forEach((leaf, i) => {
          expect(rootFromPath(leaf, i, n, paths[i]!)?.equals(root)).toBe(true);
          if (n > 1) expect(rootFromPath(leaf, (i + 1) % n, n, paths[i]!)?.equals(root) ?? false).toBe(false);
        });
      }),
      { numRuns: 70 },
    );
  });
});
