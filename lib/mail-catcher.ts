/**
 * An SMTP server on loopback that keeps every mail it receives (`smtp-server`,
 * parsed with `mailparser`): `sentineliq dev` runs one when SMTP_URL is not
 * set, and tests read the mails the coordinator sends. With `file`, each mail
 * is also appended to that file as one JSON line (`sentineliq mail` reads it).
 */
import { appendFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

export interface CaughtMail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  /** Every http(s) link in the text. */
  links: string[];
  received_at: string;
}

export interface MailCatcher {
  /** smtp://127.0.0.1:<port> */
  url: string;
  mails: CaughtMail[];
  /**
   * Waits for a mail to `to` (matching `subject`, when given) among the mails after the first `after`
   * (default 0), and returns the newest such.
   */
  waitFor(to: string, o?: { subject?: RegExp; after?: number; timeoutMs?: number }): Promise<CaughtMail>;
  stop(): Promise<void>;
}

const addresses = (v: unknown): string[] => {
  const list = Array.isArray(v) ? v : v ? [v] : [];
  return list.flatMap((a: { value?: { address?: string }[] }) => (a.value ?? []).map((x) => x.address ?? ""));
};

export async function startMailCatcher(
  opts: { file?: string; onMail?: (m: CaughtMail) => void } = {},
): Promise<MailCatcher> {
  const mails: CaughtMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, done) {
      simpleParser(stream)
        .then((p) => {
          const text = p.text ?? "";
          const m: CaughtMail = {
            to: addresses(p.to),
            from: addresses(p.from)[0] ?? "",
            subject: p.subject ?? "",
            text,
            links: text.match(/https?:\/\/[^\s<>"]+/g) ?? [],
            received_at: new Date().toISOString(),
          };
          mails.push(m);
          if (opts.file) appendFileSync(opts.file, JSON.stringify(m) + "\n", { mode: 0o600 });
          opts.onMail?.(m);
          done();
        })
        .catch((err: Error) => done(err));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    async waitFor(to, o = {}) {
      const end = Date.now() + (o.timeoutMs ?? 20_000);
      for (;;) {
        const found = mails
          .slice(o.after ?? 0)
          .filter((m) => m.to.includes(to.toLowerCase()) && (!o.subject || o.subject.test(m.subject)));
        if (found.length) return found.at(-1)!;
        if (Date.now() > end) throw new Error(`no mail to ${to}${o.subject ? ` matching ${String(o.subject)}` : ""}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
