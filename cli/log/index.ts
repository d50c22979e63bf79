/** `sentineliq log`: verify the verdict log, and read it entry by entry with proofs. */
import type { Command } from "commander";
import { z } from "zod";
import { collect, f, parseFlags, wholeNumber } from "../shared/flags.ts";

const VerifyFlags = z.object({
  db: f.text,
  schema: f.text,
  url: f.text,
  tiles: f.text,
  s3: f.text,
  network: f.text,
  vkey: f.text,
  state: f.text,
  key: f.text,
  witness: f.list,
});
const ReadFlags = z.object({ ...f.target, vkey: f.text, follow: f.on, lines: f.count.optional() });
const ShowFlags = z.object({ ...f.target, type: z.enum(["admin"]).optional() });

const URL_HELP = "coordinator URL (SENTINELIQ_URL)";
const VKEY_HELP = "log verifier key (default: from the dev credentials)";
const KEY_HELP =
  "API key that reads entries: an agent key its organisation's, an auditor key all (SENTINELIQ_API_KEY; default for the dev coordinator: its auditor key)";

export function registerLog(program: Command): void {
  const log = program.command("log").description("inspect and verify the verdict log");
  registerVerify(log);
  log
    .command("show [payment_id|index]")
    .description(
      "print one entry (by log index, or a payment's latest decision) as JSON; or, with --type admin, the audit trail: every admin entry (who changed which person, key, validator or setting) and login event, one line each",
    )
    .option("--type <type>", "list every entry of this kind instead: admin (admin entries and login events)")
    .option("--url <url>", URL_HELP)
    .option("--api-key <key>", KEY_HELP)
    .action(async (what: string | undefined, raw: unknown) => {
      const o = parseFlags(ShowFlags, raw);
      const { runLogShow } = await import("./tools.ts");
      process.exitCode = await runLogShow(what, o);
    });
  log
    .command("tail")
    .description("print entries as they are logged")
    .option("-f, --follow", "keep following new checkpoints")
    .option("-n, --lines <n>", "start this many entries before the end", wholeNumber("-n"), 10)
    .option("--url <url>", URL_HELP)
    .option("--vkey <vkey>", VKEY_HELP)
    .option("--api-key <key>", KEY_HELP)
    .action(async (raw: unknown) => {
      const o = parseFlags(ReadFlags, raw);
      const { runLogTail } = await import("./tools.ts");
      process.exitCode = await runLogTail(o);
    });
  log
    .command("proof <index>")
    .description("fetch, verify and print a C2SP tlog-proof for the entry at <index>")
    .option("--url <url>", URL_HELP)
    .option("--vkey <vkey>", VKEY_HELP)
    .option("--api-key <key>", KEY_HELP)
    .action(async (index: string, raw: unknown) => {
      const o = parseFlags(ReadFlags, raw);
      const { runLogProof } = await import("./tools.ts");
      process.exitCode = await runLogProof(index, o);
    });
  log
    .command("consistency <old-checkpoint-file>")
    .description("prove the current checkpoint extends an older one you kept")
    .option("--url <url>", URL_HELP)
    .option("--vkey <vkey>", VKEY_HELP)
    .action(async (file: string, raw: unknown) => {
      const o = parseFlags(ReadFlags, raw);
      const { runLogConsistency } = await import("./tools.ts");
      process.exitCode = await runLogConsistency(file, o);
    });
}

function registerVerify(log: Command): void {
  log
    .command("verify")
    .description(
      "verify the whole log: checkpoint signature, every tile, the root, every entry it may read, every verdict and decision (our log only; another's entries are opaque); exit 1 names the first failure",
    )
    .option("--db <url>", "postgres://… or a PGlite directory (default: DATABASE_URL, else ./.sentineliq/pgdata)")
    .option("--schema <name>", "PostgreSQL schema holding the log")
    .option("--url <url>", "verify a C2SP tlog-tiles log served at this prefix (or by this coordinator) instead")
    .option("--tiles <dir>", "verify a C2SP tlog-tiles log stored as files in this directory instead")
    .option(
      "--s3 <url>",
      "verify the archive in an S3 bucket instead: s3://bucket/prefix?endpoint=…&region=… (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)",
    )
    .option(
      "--network <file>",
      "validator set, to re-check decisions (default ./.sentineliq/network.json, for our own log only)",
    )
    .option(
      "--vkey <vkey>",
      "log verifier key (default: from the dev credentials; required with --url, --tiles and --s3)",
    )
    .option("--state <dir>", "where the last verified checkpoint of each log is kept (default ./.sentineliq/auditor)")
    .option(
      "--key <key>",
      "API key that reads entry contents over HTTP: an agent key reads its organisation's entries, an auditor key all (default SENTINELIQ_API_KEY, else the dev auditor key for the dev coordinator)",
    )
    .option(
      "--witness <vkey>",
      "a witness's verifier key (name+hash+base64): the checkpoint must carry its valid cosignature (repeatable)",
      collect,
    )
    .action(async (raw: unknown) => {
      const o = parseFlags(VerifyFlags, raw);
      const { runLogVerify } = await import("./verify.ts");
      process.exitCode = await runLogVerify(o);
    });
}
