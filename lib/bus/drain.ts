/** An actor's read loop: every delivery of its mailbox to one handler, until `stop` closes the mailbox. */
import type { Delivery, Mailbox } from "./types.ts";

export interface Draining {
  stop(): Promise<void>;
}

export function drain(mailbox: Mailbox, handle: (d: Delivery) => void): Draining {
  const loop = (async () => {
    for await (const d of mailbox) handle(d);
  })();
  return {
    async stop() {
      await mailbox.close();
      await loop.catch(() => {});
    },
  };
}
