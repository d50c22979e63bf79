/**
 * `sentineliq log verify`: re-checks every stored entry (chain, head
 * signatures, verdict signatures, recomputed decisions) and names the first
 * entry that fails.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { LogReader, migrate } from "../coordinator/index.ts";
import { openDb } from "../lib/db.ts";
import { ChainVerifier, parseVerifierKey, ValidatorSet, type ChainRow } from "../protocol/index.ts";
import { call } from "./client.ts";
import { DEV_DIR, devCredentials } from "./credentials.ts";
import { env } from "./env.ts";
import { progress } from "./progress.ts";

export interface VerifyFlags {
  db?: string;
  schema?: string;
  url?: string;
  network?: string;
  vkey?: string;
  quiet?: boolean;
}

export async function runLogVerify(flags: VerifyFlags): Promise<number> {
  const out = (s: string) => !flags.quiet && process.stdout.write(s + "\n");
  const dev = devCredentials();
  const vkeyText = flags.vkey ?? dev?.log_vkey;
  if (!vkeyText) return fail("no verifier key: pass --vkey <origin+id+key> (GET /v1/log/vkey)");
  const vkey = parseVerifierKey(vkeyText);
  const networkFile = flags.network ?? join(resolve(DEV_DIR), "network.json");
  if (!existsSync(networkFile)) return fail(`no validator set: pass --network <file> (${networkFile} not found)`);
  const validatorSet = ValidatorSet.parse(JSON.parse(readFileSync(networkFile, "utf8")));
  const verifier = new ChainVerifier({ logPublicKey: vkey.publicKey, origin: vkey.name, validatorSet });

  const source = pickSource(flags, dev?.base_url);
  out(`Verifying ${source.describe} with key ${vkey.name}+${vkey.keyId.toString("hex")}`);
  const total = await source.size();
  const bar = progress("verifying", total);
  let lastHash = "";
  try {
    for await (const row of source.rows()) {
      const problem = verifier.push(row);
      if (problem) {
        bar.done();
        return fail(`entry ${problem.index}: ${problem.code}: ${problem.message}`);
      }
      lastHash = Buffer.from(row.hash).toString("hex");
      bar.tick();
    }
  } finally {
    await source.close();
  }
  bar.done();
  out(`✓ ${verifier.checked} entries verified${verifier.checked ? `; head ${verifier.checked - 1} ${lastHash}` : ""}`);
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`✗ log verify: ${message}\n`);
  return 1;
}

interface Source {
  describe: string;
  size(): Promise<number>;
  rows(): AsyncIterable<ChainRow>;
  close(): Promise<void>;
}

function pickSource(flags: VerifyFlags, devUrl: string | undefined): Source {
  const pgDir = join(resolve(DEV_DIR), "pgdata");
  const url = flags.url ?? (!flags.db && !env.databaseUrl && devUrl && pgliteBusy() ? devUrl : undefined);
  if (url) return httpSource(url);
  const dbUrl = flags.db ?? env.databaseUrl ?? pgDir;
  let reader: LogReader | undefined;
  let closeDb = async () => {};
  const open = async () => {
    if (!reader) {
      const db = await openDb({ url: dbUrl, ...(flags.schema ? { schema: flags.schema } : {}) });
      await migrate(db);
      reader = new LogReader(db);
      closeDb = () => db.close();
    }
    return reader;
  };
  return {
    describe: /^postgres/.test(dbUrl) ? "the PostgreSQL log" : `the PGlite log in ${dbUrl}`,
    size: async () => (await open()).size(),
    rows: () => ({ [Symbol.asyncIterator]: async function* () { yield* (await open()).all(); } }),
    close: () => closeDb(),
  };
}

/** PGlite takes one process at a time: while `sentineliq dev` holds it, read through the coordinator. */
function pgliteBusy(): boolean {
  const lock = join(resolve(DEV_DIR), "pgdata.lock");
  if (!existsSync(lock)) return false;
  try {
    process.kill(Number(readFileSync(lock, "utf8")), 0);
    return true;
  } catch {
    return false;
  }
}

function httpSource(baseUrl: string): Source {
  const page = async (start: number, limit: number) => {
    const res = await call({ baseUrl }, "logEntries", { query: { start, limit } });
    if (res.status !== 200) throw new Error(`GET /v1/log/entries answered ${res.status}`);
    return res.body as { size: number; entries: { index: number; leaf: string; prev_hash: string; hash: string; signature: string }[] };
  };
  return {
    describe: `the log served by ${baseUrl}`,
    size: async () => (await page(0, 1)).size,
    rows: () => ({
      [Symbol.asyncIterator]: async function* () {
        for (let start = 0; ; start += 1000) {
          const { entries } = await page(start, 1000);
          for (const e of entries) {
            yield {
              index: e.index,
              entry: Buffer.from(e.leaf, "base64"),
              prevHash: Buffer.from(e.prev_hash, "hex"),
              hash: Buffer.from(e.hash, "hex"),
              signature: Buffer.from(e.signature, "base64"),
            };
          }
          if (entries.length < 1000) return;
        }
      },
    }),
    close: async () => {},
  };
}
