/**
 * `verifyTiles` when entry contents are private: the tree is verified from
 * public hashes alone, and only the entries the reader may read are checked
 * against their leaves (and counted) — a lie about one of those still fails.
 */
import { describe, expect, it } from "vitest";
import { Signer } from "../crypto.ts";
import { checkpointBody } from "./checkpoint.ts";
import { leafHash } from "./merkle.ts";
import { NoteVerifier, signNote, verifierKey } from "./signed-note.ts";
import { encodeBundle, parseTilePath, TILE_WIDTH, TileBuilder, tilePath } from "./tiles.ts";
import { EntriesUnreadable, verifyTiles, type TileSource } from "./verify.ts";

const signer = new Signer(Buffer.alloc(32, 5));
const origin = "example.test/log";
const log = NoteVerifier.fromVkey(verifierKey(origin, signer.publicKey));

/** A log of `n` entries served as tiles; entry bundles refused, `readable` gives the even-numbered entries. */
function source(n: number, opts: { bundles?: boolean; lie?: number; forgeLeaf?: number } = {}): TileSource {
  const entries = Array.from({ length: n }, (_, i) => Buffer.from(`entry ${i}`));
  const files = new Map<string, Buffer>();
  const builder = new TileBuilder();
  for (const t of builder.append(entries.map(leafHash)))
    files.set(tilePath({ level: t.level, n: t.n, width: t.hashes.length }), Buffer.concat(t.hashes));
  for (let n0 = 0; n0 * TILE_WIDTH < n; n0++) {
    const es = entries.slice(n0 * TILE_WIDTH, (n0 + 1) * TILE_WIDTH);
    files.set(tilePath({ level: "entries", n: n0, width: es.length }), encodeBundle(es));
  }
  if (opts.forgeLeaf !== undefined) files.get("tile/0/000")![opts.forgeLeaf * 32]! ^= 1;
  const body = checkpointBody({ origin, size: n, root: builder.root() });
  const note = `${body}\n${signNote(signer, origin, body)}`;
  return {
    describe: "test tiles",
    checkpoint: () => Promise.resolve(note),
    get: (path) => {
      if (parseTilePath(path)?.level === "entries" && !opts.bundles)
        return Promise.reject(new EntriesUnreadable(`${path}: 401`));
      return Promise.resolve(files.get(path) ?? null);
    },
    readable: (start, count) => {
      const out = new Map<number, Uint8Array>();
      for (let i = start; i < start + count; i += 1)
        if (i % 2 === 0) out.set(i, i === opts.lie ? Buffer.from("not what was logged") : entries[i]!);
      return Promise.resolve(out);
    },
  };
}

describe("verifyTiles with private entries", () => {
  it("reads every entry when the bundles are readable", async () => {
    const r = await verifyTiles(source(600, { bundles: true }), { log });
    expect({ entries: r.entries, read: r.read }).toEqual({ entries: 600, read: 600 });
  });

  it("verifies the whole tree and counts the entries it could read", async () => {
    const r = await verifyTiles(source(600), { log });
    expect({ entries: r.entries, read: r.read }).toEqual({ entries: 600, read: 300 });
  });

  it("still names a readable entry whose bytes do not match its leaf", async () => {
    await expect(verifyTiles(source(600, { lie: 260 }), { log })).rejects.toThrow(/entry 260: LEAF_MISMATCH/);
  });

  it("catches a forged leaf hash of an entry it cannot read: the tree is checked from public hashes", async () => {
    await expect(verifyTiles(source(600, { forgeLeaf: 1 }), { log })).rejects.toThrow(/TILE_MISMATCH/);
  });

  it("reads nothing, and still verifies the tree, with no way to read entries", async () => {
    const src = source(300);
    delete src.readable;
    const r = await verifyTiles(src, { log });
    expect({ entries: r.entries, read: r.read }).toEqual({ entries: 300, read: 0 });
  });
});
