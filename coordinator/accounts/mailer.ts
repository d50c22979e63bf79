/**
 * Outgoing mail through `nodemailer` to SMTP_URL (`smtp://[user:pass@]host:port`).
 * Without one, a mail is not sent and a warning says so (never the token).
 * Sending never holds up the answer: the same answer, in the same time,
 * whether a mail went out or not.
 */
import { createTransport, type Transporter } from "nodemailer";
import type { Logger } from "../../lib/logger.ts";

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** Queues a mail; failures are logged, never thrown. */
  send(mail: Mail): void;
  /** Waits for the mails queued so far (tests, shutdown). */
  flush(): Promise<void>;
  close(): void;
}

export function createMailer(opts: { smtpUrl: string | undefined; from: string; logger: Logger }): Mailer {
  // Bounded waits, so an unreachable mail server delays no shutdown for minutes.
  const transport: Transporter | undefined = opts.smtpUrl
    ? createTransport({ url: opts.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 })
    : undefined;
  const pending = new Set<Promise<void>>();
  return {
    send(mail) {
      if (!transport) {
        opts.logger.warn({ to: mail.to, subject: mail.subject }, "mail not sent: no SMTP_URL configured");
        return;
      }
      const p = transport
        .sendMail({ from: opts.from, to: mail.to, subject: mail.subject, text: mail.text })
        .then(
          () => undefined,
          (err: Error) => opts.logger.error({ to: mail.to, subject: mail.subject, err: err.message }, "mail failed"),
        )
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async flush() {
      await Promise.all([...pending]);
    },
    close() {
      transport?.close();
    },
  };
}
