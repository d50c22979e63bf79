/**
 * The verdict log's read-only routes (CONTRACT.md), defined as data. Hashes are
 * public (verifier key, checkpoint, hash tiles, proofs); entry contents are not:
 * `/v1/log/entries` needs a key (an organisation reads its own entries, an
 * auditor all of them) and the entry bundles (`tile/entries/...`) an auditor key.
 */
import { z } from "zod";
import type { ErrorCode } from "../errors.ts";

const NoParams = z.object({}).strict();
const Size = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const LogEntriesQuery = z.object({
  start: Size.default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export const LogEntry = z
  .object({ index: z.number().int(), leaf: z.string(), leaf_hash: z.string(), type: z.string().optional() })
  .catchall(z.unknown());

export const LogEntriesResponse = z.object({ entries: z.array(LogEntry), size: z.number().int() });

export const InclusionQuery = z.object({ index: Size, tree_size: Size });
export const ConsistencyQuery = z.object({ first: Size, second: Size });
export const ProofResponse = z.object({ hashes: z.array(z.string()) }).catchall(z.unknown());
export const TileParams = z.object({ "*": z.string().max(128) }).strict();

interface Extra {
  /** Who may call (default: anyone). */
  auth?: "none" | "any" | "auditor";
  produces?: "text/plain" | "application/octet-stream";
  errors?: readonly ErrorCode[];
}

const get = <Q extends z.ZodType | undefined, P extends z.ZodType>(
  path: string,
  summary: string,
  params: P,
  query: Q,
  response: z.ZodType,
  extra: Extra = {},
) =>
  Object.freeze({
    method: "GET" as const,
    path,
    auth: "none" as const,
    summary,
    params,
    body: undefined,
    query,
    response,
    ...extra,
  });

const TEXT = { produces: "text/plain" } as const;

export const logRoutes = {
  logVkey: get(
    "/v1/log/vkey",
    "The log's signed-note verifier key (text/plain)",
    NoParams,
    undefined,
    z.string(),
    TEXT,
  ),
  logCheckpoint: get(
    "/v1/log/checkpoint",
    "The latest witnessed checkpoint, a C2SP signed note (text/plain)",
    NoParams,
    undefined,
    z.string(),
    { ...TEXT, errors: ["NOT_READY"] },
  ),
  logEntries: get(
    "/v1/log/entries",
    "Log entries in index order, from `start`: up to `limit` of those the key may read (an agent key: its organisation's; an auditor key: all). Other organisations' entries are left out; their indexes are absent.",
    NoParams,
    LogEntriesQuery,
    LogEntriesResponse,
    { auth: "any" },
  ),
  logInclusion: get(
    "/v1/log/proof/inclusion",
    "RFC 9162 inclusion proof, leaf upwards",
    NoParams,
    InclusionQuery,
    ProofResponse,
    { errors: ["NOT_FOUND"] },
  ),
  logConsistency: get(
    "/v1/log/proof/consistency",
    "RFC 9162 consistency proof",
    NoParams,
    ConsistencyQuery,
    ProofResponse,
    { errors: ["NOT_FOUND"] },
  ),
  logEntryBundle: get(
    "/v1/log/tile/entries/*",
    "C2SP tlog-tiles entry bundle tile/entries/<N>[.p/<W>] (entry contents: auditor key only; an organisation reads its own entries at /v1/log/entries)",
    TileParams,
    undefined,
    z.string(),
    { auth: "auditor", produces: "application/octet-stream", errors: ["NOT_FOUND"] },
  ),
  logTile: get(
    "/v1/log/tile/*",
    "C2SP tlog-tiles hash tile: tile/<L>/<N>[.p/<W>] (public)",
    TileParams,
    undefined,
    z.string(),
    { produces: "application/octet-stream", errors: ["NOT_FOUND"] },
  ),
} as const;
