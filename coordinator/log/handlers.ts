/** Handlers of the log routes (hashes public, entries for authorised readers) and of payment receipts. */
import {
  encodeBundle,
  formatTlogProof,
  leafHash,
  parseCheckpointBody,
  parseNote,
  parseTilePath,
  readTombstone,
  SiqError,
  TILE_WIDTH,
  type Routes,
} from "../../protocol/index.ts";
import type { Handlers } from "../api/index.ts";
import { readableEntries } from "./access.ts";
import type { Checkpointer } from "./checkpointer.ts";
import type { LogSequencer } from "./sequencer.ts";
import type { LogStore } from "./store.ts";

type LogHandlers = Pick<
  Handlers,
  keyof Routes &
    ("logVkey" | "logCheckpoint" | "logEntries" | "logInclusion" | "logConsistency" | "logTile" | "logEntryBundle")
>;
const TEXT = "text/plain; charset=utf-8";
const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");
const IMMUTABLE = { "cache-control": "public, max-age=31536000, immutable" };
const NOT_A_TILE = "not a tlog-tiles path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]";

export function logHandlers(
  vkey: string,
  store: LogStore,
  sequencer: LogSequencer,
  checkpointer: Checkpointer,
): LogHandlers {
  const within = (size: number, what: string) => {
    if (size > sequencer.size)
      throw new SiqError("NOT_FOUND", `${what} ${size} is beyond the log's ${sequencer.size} entries`);
  };
  return {
    logVkey: () => ({ contentType: TEXT, body: vkey + "\n" }),
    logCheckpoint: () => {
      const cp = checkpointer.latest;
      if (!cp) throw new SiqError("NOT_READY", "no checkpoint has been witnessed yet");
      return { contentType: TEXT, body: cp };
    },
    logEntries: async ({ query, principal }) => {
      const all = (start: number, limit: number) => store.entries(start, limit);
      const rows = await readableEntries(store.db, principal, query.start, query.limit, all);
      return {
        body: {
          size: sequencer.size,
          entries: rows.map((r) => ({
            index: r.index,
            type: r.type,
            leaf: b64(r.entry),
            // An erased entry's tombstone carries the leaf hash of the bytes it replaced (the tile's).
            leaf_hash: readTombstone(r.entry)?.leaf_hash ?? b64(leafHash(r.entry)),
          })),
        },
      };
    },
    logInclusion: async ({ query }) => {
      within(query.tree_size, "tree_size");
      if (query.index >= query.tree_size)
        throw new SiqError("INVALID_REQUEST", `index ${query.index} is not below tree_size ${query.tree_size}`);
      return {
        body: {
          index: query.index,
          tree_size: query.tree_size,
          hashes: (await store.inclusionProof(query.index, query.tree_size)).map(b64),
        },
      };
    },
    logConsistency: async ({ query }) => {
      within(query.second, "second");
      if (query.first > query.second) throw new SiqError("INVALID_REQUEST", "first must not exceed second");
      return {
        body: {
          first: query.first,
          second: query.second,
          hashes: (await store.consistencyProof(query.first, query.second)).map(b64),
        },
      };
    },
    logEntryBundle: async ({ params }) => {
      const t = parseTilePath(`tile/entries/${params["*"]}`);
      if (!t || t.level !== "entries") throw new SiqError("NOT_FOUND", NOT_A_TILE);
      if (t.n * TILE_WIDTH + t.width > sequencer.size) throw new SiqError("NOT_FOUND", "no such entry bundle yet");
      const rows = await store.entries(t.n * TILE_WIDTH, t.width);
      const data = encodeBundle(rows.map((r) => r.entry));
      // Private: never kept by a shared cache.
      return { contentType: "application/octet-stream", headers: { "cache-control": "private, no-store" }, body: data };
    },
    logTile: async ({ params }) => {
      const t = parseTilePath(`tile/${params["*"]}`);
      if (!t) throw new SiqError("NOT_FOUND", NOT_A_TILE);
      // Entry bundles are served by logEntryBundle (auditor key); this public route serves hashes only.
      if (t.level === "entries")
        throw new SiqError("NOT_FOUND", "entry bundles are at tile/entries/ with an auditor key");
      const data = await store.tile(t.level, t.n);
      if (!data || data.length < t.width * 32) throw new SiqError("NOT_FOUND", "no such tile yet");
      return { contentType: "application/octet-stream", headers: IMMUTABLE, body: data.subarray(0, t.width * 32) };
    },
  };
}

/**
 * A tlog-proof for the payment's latest logged decision, against the latest published checkpoint. It carries
 * the entry itself on its `extra` line: the payer (the only caller allowed here) gets its own entry with it.
 */
export async function paymentReceipt(store: LogStore, checkpointer: Checkpointer, paymentId: string): Promise<string> {
  const entries = await store.forPayment(paymentId);
  const last = entries.at(-1);
  if (!last) throw new SiqError("NOT_FOUND", `payment ${paymentId} has no logged decision yet`);
  const cp = checkpointer.latest;
  const size = cp ? parseCheckpointBody(parseNote(cp).body).size : 0;
  if (!cp || size <= last.index)
    throw new SiqError(
      "NOT_READY",
      `entry ${last.index} is not yet covered by a published checkpoint; retry in a second`,
    );
  const proof = await store.inclusionProof(last.index, size);
  return formatTlogProof({ index: last.index, proof, checkpoint: cp, extra: last.entry });
}
