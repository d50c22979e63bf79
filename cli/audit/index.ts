/** `sentineliq audit`: tAudit from the command line (hash, submit, approve, revoke, list, show). */
import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { f, parseFlags } from "../shared/flags.ts";

const HashFlags = z.object({ json: f.on });
const SubmitFlags = z.object({ ...f.target, json: f.on });
const DecideFlags = z.object({
  url: f.text,
  auditorKey: f.text,
  signingKey: f.text,
  note: f.text,
  reason: f.text,
  json: f.on,
});
const ReadFlags = z.object({
  ...f.target,
  auditorKey: f.text,
  state: z.enum(["pending", "approved", "revoked"]).optional(),
  json: f.on,
});

const URL_HELP = "coordinator URL (SENTINELIQ_URL)";
const AUDITOR_HELP = "auditor key (SENTINELIQ_AUDITOR_KEY)";
const files = (list: string[]) => list.map((p) => resolve(p));

export function registerAudit(program: Command): void {
  const audit = program.command("audit").description("tAudit: hash, submit and audit the functions that make payments");
  audit
    .command("hash <files...>")
    .description("print the code hash of every paymentFunction(...) in the files, as the agent SDK computes it")
    .option("--json", "one JSON array")
    .action(async (list: string[], raw: unknown) => {
      const o = parseFlags(HashFlags, raw);
      const { runAuditHash } = await import("./audit.ts");
      process.exitCode = runAuditHash(files(list), o);
    });
  audit
    .command("submit <files...>")
    .description("submit every paymentFunction(...) in the files for audit (agent key)")
    .option("--url <url>", URL_HELP)
    .option("--api-key <key>", "agent API key (SENTINELIQ_API_KEY)")
    .option("--json", "one JSON array")
    .action(async (list: string[], raw: unknown) => {
      const o = parseFlags(SubmitFlags, raw);
      const { runAuditSubmit } = await import("./audit.ts");
      process.exitCode = await runAuditSubmit(files(list), o);
    });
  registerDecisions(audit);
  registerReads(audit);
}

function registerDecisions(audit: Command): void {
  for (const action of ["approve", "revoke"] as const) {
    const cmd = audit
      .command(`${action} <hash>`)
      .description(
        action === "approve"
          ? "approve a pending code hash (auditor key)"
          : "revoke a code hash for good (auditor key)",
      )
      .option("--url <url>", URL_HELP)
      .option("--auditor-key <key>", "auditor key (SENTINELIQ_AUDITOR_KEY; dev: from the dev credentials)")
      .option(
        "--signing-key <file>",
        "your auditor Ed25519 key file: the statement is signed with it (SENTINELIQ_AUDITOR_SIGNING_KEY; required once network.json names an auditor set)",
      )
      .option("--json", "print the record as JSON");
    if (action === "approve") cmd.option("--note <text>", "why it is approved");
    else cmd.requiredOption("--reason <text>", "why it is revoked (goes into the public log)");
    cmd.action(async (hash: string, raw: unknown) => {
      const o = parseFlags(DecideFlags, raw);
      const { runAuditDecide } = await import("./audit.ts");
      process.exitCode = await runAuditDecide(action, hash, o);
    });
  }
}

function registerReads(audit: Command): void {
  audit
    .command("list")
    .description("registry records (auditor: all; agent: those its organisation submitted)")
    .option("--state <state>", "pending, approved or revoked")
    .option("--url <url>", URL_HELP)
    .option("--auditor-key <key>", AUDITOR_HELP)
    .option("--api-key <key>", "list as an agent instead")
    .option("--json", "one JSON array")
    .action(async (raw: unknown) => {
      const o = parseFlags(ReadFlags, raw);
      const { runAuditList } = await import("./audit.ts");
      process.exitCode = await runAuditList(o);
    });
  audit
    .command("show <hash>")
    .description("one record with the normalised source to review")
    .option("--url <url>", URL_HELP)
    .option("--auditor-key <key>", AUDITOR_HELP)
    .option("--api-key <key>", "read as an agent instead")
    .option("--json", "print the record as JSON")
    .action(async (hash: string, raw: unknown) => {
      const o = parseFlags(ReadFlags, raw);
      const { runAuditShow } = await import("./audit.ts");
      process.exitCode = await runAuditShow(hash, o);
    });
}
