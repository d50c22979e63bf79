/**
 * `sentineliq privacy erase <kind> <id>` and `privacy export <kind> <id>`: a
 * data subject of your organisation (agent, user or account), as a signed-in
 * owner or admin. Erase prints what was redacted and the erasure entry's
 * index; export prints the one JSON document held about the subject.
 * `privacy retention` shows or changes the organisation's retention policy.
 */
import type { Command } from "commander";
import { z } from "zod";
import { f, parseFlags } from "../shared/flags.ts";

const Flags = z.object({ url: f.text, user: f.text, json: f.on });
/** Days, or "keep" (no limit); absent: unchanged. */
const Days = z
  .string()
  .regex(/^(keep|[1-9][0-9]{0,4})$/, "a number of days (1 or more) or keep")
  .optional();
const RetentionFlags = Flags.extend({ operationalDays: Days, eventsDays: Days, requestsDays: Days });

export function registerPrivacy(program: Command): void {
  const privacy = program
    .command("privacy")
    .description("data subjects of your organisation: erase or export (owners and admins)");
  const run = (action: "erase" | "export") => async (kind: string, id: string, raw: unknown) => {
    const { privacyCommand } = await import("./commands.ts");
    process.exitCode = await privacyCommand(action, kind, id, parseFlags(Flags, raw));
  };
  for (const [action, text] of [
    ["erase", "erase a subject: its log entries become tombstones (leaf hashes kept), its rows go; logged"],
    ["export", "everything held about a subject, as one JSON document"],
  ] as const)
    privacy
      .command(`${action} <kind> <id>`)
      .description(`${text} (kind: agent, user or account)`)
      .option("--url <url>", "coordinator URL (SENTINELIQ_URL; dev: from the dev credentials)")
      .option("--user <email>", "who signs in (SENTINELIQ_EMAIL; password: SENTINELIQ_PASSWORD; dev: the dev owner)")
      .option("--json", "print the answer as JSON")
      .action(run(action));
  privacy
    .command("retention")
    .description("show your organisation's retention policy, or change it (days, or keep)")
    .option("--operational-days <n>", "delete decided payments and settlements older than this")
    .option("--events-days <n>", "delete decided events older than this")
    .option("--requests-days <n>", "strip the free text of raw requests older than this")
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL; dev: from the dev credentials)")
    .option("--user <email>", "who signs in (SENTINELIQ_EMAIL; password: SENTINELIQ_PASSWORD; dev: the dev owner)")
    .option("--json", "print the answer as JSON")
    .action(async (raw: unknown) => {
      const { retentionCommand } = await import("./commands.ts");
      process.exitCode = await retentionCommand(parseFlags(RetentionFlags, raw));
    });
}
