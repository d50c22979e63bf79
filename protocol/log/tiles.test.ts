import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { leafHash, rootFromLeafHashes } from "./merkle.ts";
import {
  decodeBundle,
  encodeBundle,
  encodeIndex,
  parseTilePath,
  perfectRoot,
  TileBuilder,
  tilePath,
  tilesForSize,
} from "./tiles.ts";

const leaves = (n: number, from = 0) => Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`e${from + i}`)));

describe("tile paths", () => {
  it("encodes indexes in 3-digit groups as tlog-tiles does", () => {
    expect(encodeIndex(0)).toBe("000");
    expect(encodeIndex(1234067)).toBe("x001/x234/067");
    expect(tilePath({ level: 0, n: 1234067, width: 256 })).toBe("tile/0/x001/x234/067");
    expect(tilePath({ level: "entries", n: 5, width: 17 })).toBe("tile/entries/005.p/17");
  });

  it("parses what it prints, and nothing malformed", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 1, max: 256 }),
        fc.constantFrom(0, 1, 5, "entries" as const),
        (n, width, level) => {
          expect(parseTilePath(tilePath({ level, n, width }))).toEqual({ level, n, width });
        },
      ),
    );
    for (const bad of [
      "tile/0/1",
      "tile/0/x000/001",
      "tile/0/001.p/256",
      "tile/0/001.p/0",
      "tile/64/000",
      "tile/0/001/",
      "tile/x/000",
    ]) {
      expect(parseTilePath(bad)).toBeNull();
    }
  });

  it("lists the tiles of a tree", () => {
    expect(tilesForSize(0)).toEqual([]);
    const paths = tilesForSize(70000).map(tilePath);
    expect(paths.length).toBe(273 + 1 + 2 + 1);
    expect(paths.slice(-4)).toEqual(["tile/0/273.p/112", "tile/1/000", "tile/1/001.p/17", "tile/2/000.p/1"]);
    expect(tilesForSize(512, { entries: true }).map(tilePath)).toEqual([
      "tile/0/000",
      "tile/0/001",
      "tile/entries/000",
      "tile/entries/001",
      "tile/1/000.p/2",
    ]);
  });
});

describe("entry bundles", () => {
  it("round-trip entries up to 65535 bytes, and refuse bigger ones", () => {
    const entries = [Buffer.alloc(0), Buffer.from("hello"), Buffer.alloc(65535, 7)];
    expect(decodeBundle(encodeBundle(entries))).toEqual(entries);
    expect(() => encodeBundle([Buffer.alloc(65536)])).toThrow(RangeError);
    expect(() => decodeBundle(Buffer.from([0, 5, 1]))).toThrow(/truncated/);
  });
});

describe("TileBuilder", () => {
  it("has the RFC 6962 root at every size, appended in any batches", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 6 }), (batches) => {
        const b = new TileBuilder();
        const all: Buffer[] = [];
        for (const k of batches) {
          const more = leaves(k, all.length);
          all.push(...more);
          b.append(more);
          expect(b.root().equals(rootFromLeafHashes(all))).toBe(true);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("reports each touched tile with its content, level 1 holding level 0's subtree roots", () => {
    const b = new TileBuilder();
    const all = leaves(600);
    const touched = b.append(all);
    const t0 = touched.filter((t) => t.level === 0);
    expect(t0.map((t) => [t.n, t.hashes.length])).toEqual([
      [0, 256],
      [1, 256],
      [2, 88],
    ]);
    expect(t0[1]!.hashes).toEqual(all.slice(256, 512));
    const t1 = touched.find((t) => t.level === 1)!;
    expect(t1.hashes).toEqual([perfectRoot(all.slice(0, 256)), perfectRoot(all.slice(256, 512))]);
    const clone = b.clone();
    clone.append(leaves(1, 600));
    expect(b.size).toBe(600);
    expect(clone.size).toBe(601);
  });
});
