/**
 * `sentineliq privacy erase <kind> <id>` and `privacy export <kind> <id>`: a
 * data subject of your organisation (agent, user or account), as a signed-in
 * owner or admin. Erase prints what was redacted and the erasure entry's
 * index; export prints the one JSON document held about the subject.
 */
import type { Command } from "commander";
import { z } from "zod";
import { f, parseFlags } from "../shared/flags.ts";

const Flags = z.object({ url: f.text, user: f.text, json: f.on });

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
}
