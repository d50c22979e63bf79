/**
 * Mail in `sentineliq dev`: to SMTP_URL when it is set; otherwise to an SMTP
 * catcher on loopback that keeps every mail in <workspace>/mail.jsonl
 * (`sentineliq mail` lists them) and prints a line with its links. And the
 * coordinator's accounts settings: that mail, and the dev organisation's owner.
 */
import { join } from "node:path";
import { hashPassword } from "../../coordinator/accounts/index.ts";
import { startMailCatcher, type MailCatcher } from "../../lib/mail-catcher.ts";
import type { Workspace } from "../launcher/index.ts";
import { say } from "./banner.ts";

export interface DevMail {
  smtpUrl: string;
  /** What the banner says about mail. */
  note: string;
  stop(): Promise<void>;
}

export const mailFile = (dir: string): string => join(dir, "mail.jsonl");

export async function startDevMail(ws: Workspace, smtpUrl: string | undefined): Promise<DevMail> {
  if (smtpUrl) return { smtpUrl, note: `SMTP_URL (${redact(smtpUrl)})`, stop: async () => {} };
  const catcher: MailCatcher = await startMailCatcher({
    file: mailFile(ws.dir),
    onMail: (m) => say(`  mail to ${m.to.join(", ")}: "${m.subject}"${m.links.map((l) => `\n    ${l}`).join("")}`),
  });
  return {
    smtpUrl: catcher.url,
    note: `caught on ${catcher.url} (npx sentineliq mail shows them)`,
    stop: () => catcher.stop(),
  };
}

/** The coordinator's `accounts` settings for dev: the mail server and the dev owner. */
export async function devAccounts(ws: Workspace, mail: DevMail): Promise<Record<string, unknown>> {
  return {
    smtpUrl: mail.smtpUrl,
    devOwner: {
      organization: "dev",
      // Its agent keys (`sentineliq key create`) act as the dev tenant: its payments, its custody wallet.
      tenant: "dev",
      email: ws.ownerEmail,
      password_hash: await hashPassword(ws.ownerPassword),
    },
  };
}

const redact = (url: string): string => url.replace(/\/\/[^@/]*@/, "//…@");
