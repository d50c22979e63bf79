/**
 * `sentineliq log verify`: with no source flag, the local store; with
 * `--url` or `--tiles`, any C2SP tlog-tiles log (`--vkey` required). It checks
 * the checkpoint's signature, every entry against its tile, every tile, the
 * root, and — with the validator set — every verdict signature and decision.
 * It remembers the last checkpoint it verified and refuses to go backwards.
 * Exit codes: 0 verified, 1 the log fails verification, 2 usage or I/O error.
 */
import { existsSync, readFileSync } from "node:fs";
import { lockHolder } from "../launcher/store.ts";
import { join, resolve } from "node:path";
import {
  verifyTiles,
  VerifyError,
  EntryChecker,
  NoteVerifier,
  ValidatorSet,
  type TileSource,
} from "../../protocol/index.ts";
import { DEV_DIR, devCredentials } from "../shared/credentials.ts";
import { env } from "../shared/env.ts";
import { VerifierState } from "./state.ts";
import { dbSource, dirSource, httpSource } from "./sources.ts";
import { progress } from "../shared/progress.ts";

export interface VerifyFlags {
  db?: string;
  schema?: string;
  url?: string;
  tiles?: string;
  network?: string;
  vkey?: string;
  state?: string;
  quiet?: boolean;
}

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

export function fail(message: string, code: number = EXIT.FAILED): number {
  process.stderr.write(`✗ log: ${message}\n`);
  return code;
}

export function logVerifier(vkey: string | undefined): NoteVerifier {
  const text = vkey ?? devCredentials()?.log_vkey;
  if (!text) throw new Error("no verifier key: pass --vkey <origin+id+key> (GET /v1/log/vkey)");
  return NoteVerifier.fromVkey(text);
}

export async function runLogVerify(flags: VerifyFlags): Promise<number> {
  const out = (s: string) => !flags.quiet && process.stdout.write(s + "\n");
  let log: NoteVerifier;
  try {
    if ((flags.url || flags.tiles) && !flags.vkey)
      return fail("--url and --tiles need --vkey <origin+id+key>", EXIT.USAGE);
    log = logVerifier(flags.vkey);
  } catch (e) {
    return fail((e as Error).message, EXIT.USAGE);
  }
  const networkFile = flags.network ?? join(resolve(DEV_DIR), "network.json");
  const ours = !flags.url && !flags.tiles;
  if (ours && !existsSync(networkFile))
    return fail(`no validator set: pass --network <file> (${networkFile} not found)`, EXIT.USAGE);
  const checker = existsSync(networkFile)
    ? new EntryChecker(ValidatorSet.parse(JSON.parse(readFileSync(networkFile, "utf8"))))
    : undefined;
  const state = new VerifierState(
    flags.state ?? join(resolve(DEV_DIR), "auditor"),
    log.name,
    log.keyId.toString("hex"),
  );

  let src: TileSource & { close?: () => Promise<void> };
  try {
    src = flags.url
      ? await httpSource(flags.url)
      : flags.tiles
        ? dirSource(resolve(flags.tiles))
        : await pickLocal(flags);
  } catch (e) {
    return fail(`cannot open the log: ${(e as Error).message}`, EXIT.USAGE);
  }
  out(`Verifying ${src.describe} with key ${log.name}+${log.keyId.toString("hex")}`);
  let bar: ReturnType<typeof progress> | undefined;
  let shown = 0;
  try {
    const previous = state.load(log);
    const r = await verifyTiles(src, {
      log,
      ...(checker ? { checker } : {}),
      ...(previous ? { previous } : {}),
      onProgress: (done, total) => {
        bar ??= progress("verifying", total);
        bar.tick(done - shown);
        shown = done;
      },
    });
    bar?.done();
    state.save(r.note);
    const skipped = [...r.skippedTypes].map(([t, n]) => `${n} × ${t}`).join(", ");
    out(`✓ ${r.entries} entries verified; checkpoint ${r.checkpoint.size} ${r.checkpoint.root.toString("base64")}`);
    if (checker)
      out(
        `  ${r.checked} decisions re-checked (verdict signatures and quorum)${skipped ? `; semantic check skipped for ${skipped} (tree checked)` : ""}`,
      );
    if (previous) out(`  consistent with the checkpoint of size ${previous.size} verified before (${state.file})`);
    return EXIT.OK;
  } catch (e) {
    bar?.done();
    if (e instanceof VerifyError) return fail(`verify: ${e.message}`);
    return fail(`verify: ${(e as Error).message}`, EXIT.USAGE);
  } finally {
    await src.close?.();
  }
}

async function pickLocal(flags: VerifyFlags) {
  const pgDir = join(resolve(DEV_DIR), "pgdata");
  const devUrl = devCredentials()?.base_url;
  if (!flags.db && !env.databaseUrl && devUrl && pgliteBusy()) return httpSource(devUrl);
  return dbSource(flags.db ?? env.databaseUrl ?? pgDir, flags.schema);
}

/** PGlite takes one process at a time: while `sentineliq dev` holds it, read through the coordinator. */
function pgliteBusy(): boolean {
  return lockHolder(join(resolve(DEV_DIR), "pgdata.lock")) !== undefined;
}
