/**
 * The archive's one rewrite, checked before it is written: a bundle may change only by tombstones that name
 * their index and the tile's leaf hash. Attacks: the rewrite path cannot edit, drop or add a non-erased
 * entry, nor replace a tombstone, nor write a tile or a checkpoint.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { canonicalBytes, encodeBundle, leafHash, tombstoneBytes } from "../../protocol/index.ts";
import { checkRedaction, RedactionRefused } from "./archive-redact.ts";
import { DirArchiveStore } from "./archive-dir.ts";

const entries = [0, 1, 2, 3].map((i) => Buffer.from(canonicalBytes({ type: "x.test.v1", agent_id: `agent-${i}` })));
const leaves = Buffer.concat(entries.map((e) => leafHash(e)));
const tomb = (n: number, leaf = leafHash(entries[n]!), index = n) =>
  Buffer.from(tombstoneBytes({ index, leaf_hash: leaf.toString("base64"), erasure_index: 9 }));
const archived = encodeBundle(entries);
const withEntry = (i: number, e: Buffer, base = entries) => encodeBundle(base.map((x, j) => (j === i ? e : x)));
const refused =
  (next: Buffer, base = archived) =>
  () =>
    checkRedaction(0, base, next, leaves);

describe("checkRedaction", () => {
  it("accepts a bundle whose erased entries became their tombstones, the rest byte-identical", () => {
    const next = encodeBundle([entries[0]!, tomb(1), entries[2]!, tomb(3)]);
    expect(checkRedaction(0, archived, next, leaves)).toBe(2);
    expect(next.includes("agent-1")).toBe(false);
    expect(checkRedaction(0, archived, archived, leaves)).toBe(0);
    // A partial bundle (the first two entries) too.
    expect(checkRedaction(0, encodeBundle(entries.slice(0, 2)), encodeBundle([entries[0]!, tomb(1)]), leaves)).toBe(1);
  });

  it("refuses to change a non-erased entry, even beside a valid tombstone", () => {
    const edited = Buffer.from(canonicalBytes({ type: "x.test.v1", agent_id: "agent-X" }));
    expect(refused(withEntry(2, edited))).toThrow(/would change, and not into a tombstone/);
    expect(refused(encodeBundle([entries[0]!, tomb(1), edited, entries[3]!]))).toThrow(RedactionRefused);
  });

  it("refuses a tombstone with another leaf hash or another index", () => {
    expect(refused(withEntry(1, tomb(1, leafHash(entries[2]!))))).toThrow(/leaf hash is not the tile's/);
    expect(refused(withEntry(1, tomb(1, leafHash(entries[1]!), 2)))).toThrow(/names entry 2/);
  });

  it("refuses to drop, add or reorder entries, garbage, or replacing a tombstone", () => {
    expect(refused(encodeBundle(entries.slice(0, 3)))).toThrow(/3 entries where the archive has 4/);
    expect(refused(encodeBundle([...entries, tomb(0)]))).toThrow(RedactionRefused);
    expect(refused(encodeBundle([entries[1]!, entries[0]!, entries[2]!, entries[3]!]))).toThrow(RedactionRefused);
    expect(refused(Buffer.from([0xff, 0xff, 1]))).toThrow(/does not decode/);
    const once = withEntry(1, tomb(1));
    const other = Buffer.from(
      tombstoneBytes({ index: 1, leaf_hash: leafHash(entries[1]!).toString("base64"), erasure_index: 3 }),
    );
    expect(refused(withEntry(1, other), once)).toThrow(/tombstone already/);
  });

  it("the directory store rewrites an entry bundle in place, and never a tile or the checkpoint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "siq-arch-"));
    const store = new DirArchiveStore(dir);
    await store.open();
    await store.create("tile/entries/000.p/4", archived);
    await store.create("tile/0/000.p/4", leaves);
    expect(await store.versions("tile/entries/000")).toEqual(["tile/entries/000.p/4"]);
    const next = withEntry(1, tomb(1));
    await store.replaceBundle("tile/entries/000.p/4", next);
    expect(readFileSync(join(dir, "tile/entries/000.p/4")).equals(next)).toBe(true);
    for (const path of ["tile/0/000.p/4", "checkpoint", "tile/1/000", "../x"])
      await expect(store.replaceBundle(path, next)).rejects.toThrow(/never rewritten/);
    expect(readFileSync(join(dir, "tile/0/000.p/4")).equals(leaves)).toBe(true);
  });
});
