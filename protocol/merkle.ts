/**
 * Small in-memory RFC 6962 trees for batch-signed verdicts: every leaf's
 * inclusion path at once, and the root a path implies (RFC 9162 §2.1.3.2).
 * The hashing itself is the log's (`log/merkle.ts`).
 */
import { createHash } from "node:crypto";
import { leafHash, nodeHash } from "./log/merkle.ts";

export { leafHash, nodeHash };

/** The root over leaf hashes, with every leaf's inclusion path. */
export function treeWithPaths(leaves: Buffer[]): { root: Buffer; paths: Buffer[][] } {
  if (leaves.length === 0) return { root: createHash("sha256").digest(), paths: [] };
  if (leaves.length === 1) return { root: leaves[0]!, paths: [[]] };
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  const left = treeWithPaths(leaves.slice(0, k));
  const right = treeWithPaths(leaves.slice(k));
  return {
    root: nodeHash(left.root, right.root),
    paths: [...left.paths.map((p) => [...p, right.root]), ...right.paths.map((p) => [...p, left.root])],
  };
}

/** The root implied by a leaf, its index, the tree size and its inclusion path; null if the path cannot fit. */
export function rootFromPath(leaf: Uint8Array, index: number, size: number, path: Uint8Array[]): Buffer | null {
  if (!Number.isInteger(index) || !Number.isInteger(size) || index < 0 || index >= size) return null;
  if (leaf.length !== 32 || path.some((p) => p.length !== 32)) return null;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}
