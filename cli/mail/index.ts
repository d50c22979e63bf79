/**
 * `sentineliq mail`: the mails `sentineliq dev` caught (verification, reset
 * and invitation links) when no SMTP_URL is set, newest last.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { f, parseFlags, wholeNumber } from "../shared/flags.ts";

const Flags = z.object({ dir: z.string().min(1), last: f.count.min(1), json: f.on });

export function registerMail(program: Command): void {
  program
    .command("mail")
    .description("the mails `sentineliq dev` caught (without SMTP_URL): verification, reset and invitation links")
    .option("--dir <dir>", "the dev workspace", ".sentineliq")
    .option("--last <n>", "how many, newest last", wholeNumber("--last"), 10)
    .option("--json", "print them as JSON lines")
    .action((raw: unknown) => {
      process.exitCode = showMail(parseFlags(Flags, raw));
    });
}

interface Caught {
  to: string[];
  subject: string;
  text: string;
  links: string[];
  received_at: string;
}

export function showMail(o: z.infer<typeof Flags>): number {
  const file = resolve(o.dir, "mail.jsonl");
  const lines = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
  const mails = lines.slice(-o.last).map((l) => JSON.parse(l) as Caught);
  const out = (s: string) => void process.stdout.write(s + "\n");
  if (o.json) {
    for (const m of mails) out(JSON.stringify(m));
    return 0;
  }
  if (mails.length === 0) out(`no mail caught yet (${file})`);
  for (const m of mails) {
    out(`${m.received_at}  to ${m.to.join(", ")}  "${m.subject}"`);
    for (const link of m.links) out(`    ${link}`);
  }
  return 0;
}
