/**
 * The one rewrite the archive makes: an entry bundle some of whose entries were erased, written again with
 * their tombstones. `checkRedaction` proves, before anything is written, that the new bundle differs from the
 * archived one only by tombstones: the same number of entries, every other entry byte-identical, and each
 * new tombstone naming its own index and the leaf hash the level-0 tile holds for it. A tombstone already
 * archived is never replaced. Anything else is refused, so the rewrite path cannot edit the log.
 */
import {
  decodeBundle,
  encodeBundle,
  parseTilePath,
  readTombstone,
  tilePath,
  TILE_WIDTH,
} from "../../protocol/index.ts";
import type { ArchiveStore } from "./archive.ts";
import type { LogStore } from "./store.ts";

export class RedactionRefused extends Error {
  override readonly name = "RedactionRefused";
}

/** Checks `next` may replace the archived bundle `n`; returns how many entries it redacts. */
export function checkRedaction(n: number, archived: Uint8Array, next: Uint8Array, leaves: Uint8Array): number {
  const before = decode(archived, "archived");
  const after = decode(next, "new");
  if (before.length !== after.length)
    throw new RedactionRefused(`bundle ${n}: ${after.length} entries where the archive has ${before.length}`);
  let redacted = 0;
  for (const [i, old] of before.entries()) {
    const now = after[i]!;
    if (old.equals(now)) continue;
    const index = n * TILE_WIDTH + i;
    if (readTombstone(old)) throw new RedactionRefused(`entry ${index} is a tombstone already; it is never replaced`);
    const tomb = readTombstone(now);
    if (!tomb) throw new RedactionRefused(`entry ${index} would change, and not into a tombstone`);
    if (tomb.index !== index) throw new RedactionRefused(`entry ${index}: the tombstone names entry ${tomb.index}`);
    const leaf = Buffer.from(leaves).subarray(i * 32, (i + 1) * 32);
    if (leaf.length !== 32 || !Buffer.from(tomb.leaf_hash, "base64").equals(leaf))
      throw new RedactionRefused(`entry ${index}: the tombstone's leaf hash is not the tile's`);
    redacted++;
  }
  return redacted;
}

function decode(data: Uint8Array, which: string): Buffer[] {
  try {
    return decodeBundle(data);
  } catch (e) {
    throw new RedactionRefused(`the ${which} bundle does not decode: ${(e as Error).message}`);
  }
}

/**
 * Rewrites every archived version of entry bundle `n` (the full bundle and its partials) whose bytes differ
 * from the database's, which holds the tombstones; the number of objects rewritten. A store failure throws
 * (the archive retries); a bundle that would change by more than tombstones throws `RedactionRefused`.
 */
export async function redactBundles(store: ArchiveStore, log: LogStore, n: number): Promise<number> {
  let written = 0;
  for (const path of await store.versions(tilePath({ level: "entries", n, width: TILE_WIDTH }))) {
    const width = parseTilePath(path)?.width;
    const archived = await store.read(path);
    if (!width || !archived) continue;
    const rows = await log.entries(n * TILE_WIDTH, width);
    const next = encodeBundle(rows.map((r) => r.entry));
    if (next.equals(archived)) continue;
    checkRedaction(n, archived, next, (await log.tile(0, n)) ?? Buffer.alloc(0));
    await store.replaceBundle(path, next);
    written++;
  }
  return written;
}
