/**
 * `sentineliq log verify`: with no source flag, the local store; with
 * `--url`, `--tiles` or `--s3`, any C2SP tlog-tiles log (`--vkey` required). It checks
 * the checkpoint's signature, every tile, the root, every entry it may read
 * against its leaf (entry contents are private: over HTTP it reads what its key
 * allows, and says how many) and — in our own log, with the validator set —
 * every verdict signature and decision. Another log's entries are opaque bytes.
 * It remembers the last checkpoint it verified and refuses to go backwards.
 * Exit codes: 0 verified, 1 the log fails verification, 2 usage or I/O error.
 */
import { existsSync, readFileSync } from "node:fs";
import { lockHolder } from "../launcher/store.ts";
import { join, resolve } from "node:path";
import {
  ADMIN_ENTRY_TYPE,
  verifyTiles,
  VerifyError,
  EntryChecker,
  NoteVerifier,
  parseNote,
  ValidatorSet,
  verifiedSignatures,
  type TileSource,
  type VerifyReport,
} from "../../protocol/index.ts";
import { DEV_DIR, devCredentials } from "../shared/credentials.ts";
import { env } from "../shared/env.ts";
import { VerifierState } from "./state.ts";
import { entryReaderKey } from "./reader-key.ts";
import { dbSource, dirSource, httpSource, s3Source } from "./sources.ts";
import { progress } from "../shared/progress.ts";

export interface VerifyFlags {
  db?: string;
  schema?: string;
  url?: string;
  tiles?: string;
  /** An S3 archive: s3://bucket/prefix?endpoint=… (credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). */
  s3?: string;
  network?: string;
  vkey?: string;
  state?: string;
  /** Bearer key for entry contents over HTTP (default SENTINELIQ_API_KEY, else the dev auditor key for the dev coordinator). */
  key?: string;
  quiet?: boolean;
  /** Witness verifier keys: each must have cosigned the checkpoint. */
  witness?: string[] | undefined;
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
  let witnesses: NoteVerifier[];
  try {
    if ([flags.url, flags.tiles, flags.s3].filter(Boolean).length > 1)
      return fail("give one of --url, --tiles and --s3", EXIT.USAGE);
    if ((flags.url || flags.tiles || flags.s3) && !flags.vkey)
      return fail("--url, --tiles and --s3 need --vkey <origin+id+key>", EXIT.USAGE);
    log = logVerifier(flags.vkey);
    witnesses = (flags.witness ?? []).map((w) => NoteVerifier.fromVkey(w));
  } catch (e) {
    return fail((e as Error).message, EXIT.USAGE);
  }
  const semantics = entrySemantics(flags, log);
  if (typeof semantics === "string") return fail(semantics, EXIT.USAGE);
  const checker = semantics.checker;
  const state = new VerifierState(
    flags.state ?? join(resolve(DEV_DIR), "auditor"),
    log.name,
    log.keyId.toString("hex"),
  );

  let src: TileSource & { close?: () => Promise<void> };
  try {
    src = flags.url
      ? await httpSource(flags.url, entryReaderKey(flags.key, flags.url))
      : flags.tiles
        ? dirSource(resolve(flags.tiles))
        : flags.s3
          ? s3Source(flags.s3, env.s3Credentials)
          : await pickLocal(flags);
  } catch (e) {
    return fail(`cannot open the log: ${(e as Error).message}`, EXIT.USAGE);
  }
  out(`Verifying ${src.describe} with key ${log.name}+${log.keyId.toString("hex")}`);
  if (!checker) out(`  ${semantics.why}: its entries are opaque bytes (Merkle checks only)`);
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
    const cosigned = verifiedSignatures(parseNote(r.note), witnesses);
    const missing = witnesses.filter((w) => !cosigned.has(`${w.name}+${w.keyId.toString("hex")}`));
    if (missing.length > 0)
      return fail(`verify: the checkpoint carries no valid cosignature from ${missing.map((w) => w.name).join(", ")}`);
    state.save(r.note);
    report(r, checker !== undefined, out);
    if (witnesses.length > 0) out(`  cosigned by ${witnesses.map((w) => w.name).join(", ")}`);
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

function report(r: VerifyReport, semantic: boolean, out: (s: string) => void): void {
  const skipped = [...r.skippedTypes].map(([t, n]) => `${n} × ${t}`).join(", ");
  const root = `checkpoint ${r.checkpoint.size} ${r.checkpoint.root.toString("base64")}`;
  if (r.read === r.entries) out(`✓ ${r.entries} entries verified; ${root}`);
  else {
    out(`✓ tree of ${r.entries} entries verified (checkpoint, every tile, the root); ${root}`);
    out(
      `  ${r.read} of ${r.entries} entries read and checked against their leaves (the others are not readable with this key)`,
    );
  }
  if (r.redacted > 0)
    out(`  ${r.redacted} entries redacted (erased data subjects: their tombstones keep the leaf hashes, which verify)`);
  if (semantic)
    out(
      `  ${r.checked} decisions re-checked (verdict signatures and quorum)${skipped ? `; semantic check skipped for ${skipped} (tree checked)` : ""}`,
    );
  const admin = r.checkedTypes.get(ADMIN_ENTRY_TYPE) ?? 0;
  if (admin > 0) out(`  ${admin} admin entries verified (shape, and the coordinator's log key signature)`);
}

/**
 * Whose log this is decides how its entries are read. The local store is ours (the validator set is required);
 * `--network` says whose validators signed it; otherwise a log is ours only when its key is our network's log
 * key (same origin and key as the dev credentials' `log_vkey`). Any other log's entries are opaque bytes,
 * whatever files lie around.
 */
function entrySemantics(flags: VerifyFlags, log: NoteVerifier): { checker?: EntryChecker; why: string } | string {
  const defaultFile = join(resolve(DEV_DIR), "network.json");
  // Admin entries carry the coordinator's log key signature: the key this checkpoint verified with.
  const load = (file: string) =>
    new EntryChecker(ValidatorSet.parse(JSON.parse(readFileSync(file, "utf8"))), log.publicKey);
  if (flags.network) {
    if (!existsSync(flags.network)) return `no validator set: ${flags.network} not found`;
    return { checker: load(flags.network), why: "" };
  }
  if (!flags.url && !flags.tiles && !flags.s3) {
    if (!existsSync(defaultFile)) return `no validator set: pass --network <file> (${defaultFile} not found)`;
    return { checker: load(defaultFile), why: "" };
  }
  const ours = ourLogKey();
  const same = ours !== undefined && ours.vkey === log.vkey;
  if (!same) return { why: `not our log (${ours ? `our log key is ${ours.name}` : "no log of ours here"})` };
  if (!existsSync(defaultFile)) return { why: `our log, but ${defaultFile} is missing` };
  return { checker: load(defaultFile), why: "" };
}

function ourLogKey(): NoteVerifier | undefined {
  try {
    const vkey = devCredentials()?.log_vkey;
    return vkey ? NoteVerifier.fromVkey(vkey) : undefined;
  } catch {
    return undefined;
  }
}

async function pickLocal(flags: VerifyFlags) {
  const pgDir = join(resolve(DEV_DIR), "pgdata");
  const devUrl = devCredentials()?.base_url;
  if (!flags.db && !env.databaseUrl && devUrl && pgliteBusy())
    return httpSource(devUrl, entryReaderKey(flags.key, devUrl));
  return dbSource(flags.db ?? env.databaseUrl ?? pgDir, flags.schema);
}

/** PGlite takes one process at a time: while `sentineliq dev` holds it, read through the coordinator. */
function pgliteBusy(): boolean {
  return lockHolder(join(resolve(DEV_DIR), "pgdata.lock")) !== undefined;
}
