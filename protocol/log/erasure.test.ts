/**
 * Erased entries in `verifyTiles`: a tombstone that keeps the erased entry's
 * leaf hash (and names an erasure entry listing it) verifies and is counted as
 * redacted; a tombstone with another leaf hash, another index, or naming an
 * erasure entry that does not list it fails with BAD_TOMBSTONE.
 */
import { describe, expect, it } from "vitest";
import { canonicalBytes } from "../canonical.ts";
import { Signer } from "../crypto.ts";
import { checkpointBody } from "./checkpoint.ts";
import { ERASURE_ENTRY_TYPE, readTombstone, tombstoneBytes } from "./erasure.ts";
import { leafHash } from "./merkle.ts";
import { NoteVerifier, signNote, verifierKey } from "./signed-note.ts";
import { encodeBundle, TileBuilder, tilePath } from "./tiles.ts";
import { verifyTiles, type TileSource } from "./verify.ts";

const signer = new Signer(Buffer.alloc(32, 7));
const origin = "example.test/log";
const log = NoteVerifier.fromVkey(verifierKey(origin, signer.publicKey));
const b64 = (b: Buffer) => b.toString("base64");

const erasure = (listed: number[]) =>
  Buffer.from(
    canonicalBytes({
      type: ERASURE_ENTRY_TYPE,
      org: "acme",
      subject_kind: "agent",
      subject_hash: "a".repeat(64),
      entries_redacted: listed,
      rows_erased: 2,
      actor: { kind: "user", id: "u1" },
      at: "2026-12-08T00:00:00.000Z",
    }),
  );

/** Five entries (the last an erasure listing 1 and 2); `stored` replaces what the store serves for some. */
function source(stored: (entries: Buffer[], leaves: Buffer[]) => Map<number, Buffer>, listed = [1, 2]): TileSource {
  const entries = [0, 1, 2, 3].map((i) => Buffer.from(`{"n":${i}}`)).concat(erasure(listed));
  const leaves = entries.map((e) => leafHash(e));
  const builder = new TileBuilder();
  const files = new Map<string, Buffer>();
  for (const t of builder.append(leaves))
    files.set(tilePath({ level: t.level, n: t.n, width: t.hashes.length }), Buffer.concat(t.hashes));
  const served = entries.map((e, i) => stored(entries, leaves).get(i) ?? e);
  files.set(tilePath({ level: "entries", n: 0, width: 5 }), encodeBundle(served));
  const body = checkpointBody({ origin, size: 5, root: builder.root() });
  const note = `${body}\n${signNote(signer, origin, body)}`;
  return {
    describe: "test tiles",
    checkpoint: () => Promise.resolve(note),
    get: (path) => Promise.resolve(files.get(path) ?? null),
  };
}

const tomb = (index: number, leaf: Buffer, by = 4) =>
  Buffer.from(tombstoneBytes({ index, leaf_hash: b64(leaf), erasure_index: by }));

describe("tombstones of erased entries", () => {
  it("verifies a log whose erased entries are tombstones, and counts them as redacted", async () => {
    const src = source((_, l) => new Map([1, 2].map((i) => [i, tomb(i, l[i]!)])));
    const r = await verifyTiles(src, { log });
    expect({ entries: r.entries, read: r.read, redacted: r.redacted }).toEqual({ entries: 5, read: 5, redacted: 2 });
    expect(readTombstone(tomb(1, leafHash(Buffer.from("x"))))).toMatchObject({ index: 1, erasure_index: 4 });
    expect(readTombstone(Buffer.from('{"n":1}'))).toBeUndefined();
  });

  it("fails a tombstone whose leaf hash is not the tile's", async () => {
    const src = source(() => new Map([[1, tomb(1, leafHash(Buffer.from("something else")))]]));
    await expect(verifyTiles(src, { log })).rejects.toThrow(/entry 1: BAD_TOMBSTONE/);
  });

  it("fails a tombstone moved to another index", async () => {
    const src = source((_, l) => new Map([[2, tomb(1, l[1]!)]]));
    await expect(verifyTiles(src, { log })).rejects.toThrow(/BAD_TOMBSTONE/);
  });

  it("fails a tombstone whose erasure entry does not list it, or that names no later entry", async () => {
    await expect(
      verifyTiles(
        source((_, l) => new Map([[3, tomb(3, l[3]!)]])),
        { log },
      ),
    ).rejects.toThrow(/entry 3: BAD_TOMBSTONE: erasure entry 4 does not list/);
    await expect(
      verifyTiles(
        source((_, l) => new Map([[1, tomb(1, l[1]!, 0)]])),
        { log },
      ),
    ).rejects.toThrow(/entry 1: BAD_TOMBSTONE/);
  });
});
