/**
 * RFC 6962 / RFC 9162 Merkle trees: leaf and node hashes, the shape of
 * inclusion and consistency proofs (as the subtree ranges they hash), and the
 * verifiers of RFC 9162 §2.1.3.2 and §2.1.4.2, and small in-memory trees with
 * every leaf's path (batch-signed verdicts). Pure functions; sizes and
 * indexes are plain numbers (safe up to 2^53), never 32-bit bit operations.
 */
import { createHash } from "node:crypto";

export const HASH_SIZE = 32;
const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

/** SHA-256(0x00 ‖ entry). */
export function leafHash(entry: Uint8Array): Buffer {
  return createHash("sha256").update(LEAF).update(entry).digest();
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash("sha256").update(NODE).update(left).update(right).digest();
}

/** The root of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT: Buffer = createHash("sha256").digest();

/** Largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over leaf hashes, computed with a stack of perfect subtrees (O(n), O(log n) memory). */
export function rootFromLeafHashes(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  const stack: { h: Buffer; size: number }[] = [];
  for (const leaf of hashes) {
    let top: { h: Buffer; size: number } = { h: Buffer.from(leaf), size: 1 };
    while (stack.length > 0 && stack[stack.length - 1]!.size === top.size) {
      const left = stack.pop()!;
      top = { h: nodeHash(left.h, top.h), size: left.size * 2 };
    }
    stack.push(top);
  }
  let root = stack.pop()!.h;
  while (stack.length > 0) root = nodeHash(stack.pop()!.h, root);
  return root;
}

/** The root over leaf hashes, with every leaf's inclusion path (for small in-memory trees: batch-signed verdicts). */
export function treeWithPaths(leaves: readonly Buffer[]): { root: Buffer; paths: Buffer[][] } {
  if (leaves.length === 0) return { root: EMPTY_ROOT, paths: [] };
  if (leaves.length === 1) return { root: leaves[0]!, paths: [[]] };
  const k = splitPoint(leaves.length);
  const left = treeWithPaths(leaves.slice(0, k));
  const right = treeWithPaths(leaves.slice(k));
  return {
    root: nodeHash(left.root, right.root),
    paths: [...left.paths.map((p) => [...p, right.root]), ...right.paths.map((p) => [...p, left.root])],
  };
}

/** A half-open range of leaves [lo, hi) whose MTH is one proof element. */
export type Range = readonly [lo: number, hi: number];

/** RFC 9162 §2.1.3.1 PATH(m, D[n]) as ranges, leaf upwards. */
export function inclusionRanges(index: number, size: number): Range[] {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) {
    throw new RangeError(`no inclusion proof for index ${index} in a tree of size ${size}`);
  }
  const out: Range[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    if (hi - lo <= 1) return;
    const k = splitPoint(hi - lo);
    if (m - lo < k) {
      walk(m, lo, lo + k);
      out.push([lo + k, hi]);
    } else {
      walk(m, lo + k, hi);
      out.push([lo, lo + k]);
    }
  };
  walk(index, 0, size);
  return out;
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) as ranges. Empty when m is 0 or m equals n. */
export function consistencyRanges(first: number, second: number): Range[] {
  if (!(Number.isSafeInteger(first) && Number.isSafeInteger(second) && first >= 0 && first <= second)) {
    throw new RangeError(`no consistency proof from size ${first} to size ${second}`);
  }
  const out: Range[] = [];
  if (first === 0 || first === second) return out;
  const sub = (m: number, lo: number, hi: number, whole: boolean): void => {
    if (m === hi - lo) {
      if (!whole) out.push([lo, hi]);
      return;
    }
    const k = splitPoint(hi - lo);
    if (m <= k) {
      sub(m, lo, lo + k, whole);
      out.push([lo + k, hi]);
    } else {
      sub(m - k, lo + k, hi, false);
      out.push([lo, lo + k]);
    }
  };
  sub(first, 0, second, true);
  return out;
}

/** Hash of leaves [lo, hi), given the hash of any perfect aligned subtree (height, index). */
export async function rangeHash(
  lo: number,
  hi: number,
  perfect: (height: number, index: number) => Buffer | Promise<Buffer>,
): Promise<Buffer> {
  const n = hi - lo;
  let h = 0;
  while (2 ** h < n) h++;
  if (2 ** h === n && lo % n === 0) return perfect(h, lo / n);
  const k = splitPoint(n);
  return nodeHash(await rangeHash(lo, lo + k, perfect), await rangeHash(lo + k, hi, perfect));
}

const lsb = (x: number) => x % 2 === 1;
const half = (x: number) => Math.floor(x / 2);
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/**
 * RFC 9162's walk up a proof path from node `fn` of a tree whose last node is `sn`: for each of
 * `length` elements, whether it is the left sibling. Null when the path is too short or too long.
 */
function pathSides(fn: number, sn: number, length: number): boolean[] | null {
  const sides: boolean[] = [];
  for (let i = 0; i < length; i++) {
    if (sn === 0) return null;
    const left = lsb(fn) || fn === sn;
    sides.push(left);
    if (left) {
      while (!lsb(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? sides : null;
}

/** RFC 9162 §2.1.3.2: the root a leaf hash, its index, the tree size and its inclusion path lead to; null if the path cannot fit. */
export function rootFromPath(
  leaf: Uint8Array,
  index: number,
  size: number,
  path: readonly Uint8Array[],
): Buffer | null {
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(size) && index >= 0 && index < size)) return null;
  if (leaf.length !== HASH_SIZE || path.some((p) => p.length !== HASH_SIZE)) return null;
  const sides = pathSides(index, size - 1, path.length);
  if (!sides) return null;
  let r: Buffer = Buffer.from(leaf);
  path.forEach((p, i) => (r = sides[i] ? nodeHash(p, r) : nodeHash(r, p)));
  return r;
}

/** RFC 9162 §2.1.3.2: does `proof` show the leaf at `index` in the tree of `size` with `root`? */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (root.length !== HASH_SIZE) return false;
  const r = rootFromPath(leaf, index, size, proof);
  return r !== null && same(r, root);
}

/** RFC 9162 §2.1.4.2: is the tree (`second`, `root2`) an append-only extension of (`first`, `root1`)? */
export function verifyConsistency(
  first: number,
  second: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  // RFC 9162 defines proofs for 0 < first ≤ second only; a client with no old tree has nothing to check.
  if (!(first > 0 && first <= second)) return false;
  if (first === second) return proof.length === 0 && same(root1, root2);
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE || proof.some((p) => p.length !== HASH_SIZE))
    return false;
  if (proof.length === 0) return false;
  const path = [...proof];
  if (2 ** Math.round(Math.log2(first)) === first) path.unshift(root1);
  let fn = first - 1;
  let sn = second - 1;
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  const sides = pathSides(fn, sn, path.length - 1);
  if (!sides) return false;
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  path.slice(1).forEach((c, i) => {
    if (sides[i]) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
    } else sr = nodeHash(sr, c);
  });
  return same(fr, root1) && same(sr, root2);
}
