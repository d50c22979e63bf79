/** The verdict log's public, read-only routes (CONTRACT.md), defined as data. */
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
  logEntries: get("/v1/log/entries", "Log entries in index order", NoParams, LogEntriesQuery, LogEntriesResponse),
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
  logTile: get(
    "/v1/log/tile/*",
    "C2SP tlog-tiles: tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>]",
    TileParams,
    undefined,
    z.string(),
    { produces: "application/octet-stream", errors: ["NOT_FOUND"] },
  ),
} as const;
