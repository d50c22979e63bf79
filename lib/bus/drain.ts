/**
 * An actor's read loop: every delivery of its mailbox to one handler, until
 * `stop` closes the mailbox. Whatever the handler throws (or rejects with)
 * goes to the actor's quarantine, never out of the loop: one poison message
 * never stops the actor. By default one message at a time; with
 * `concurrency` above 1, up to that many handlers run at once (the mailbox
 * is read no further while they are all busy).
 */
import type { Quarantine } from "./quarantine.ts";
import type { Delivery, Mailbox } from "./types.ts";

export interface Draining {
  stop(): Promise<void>;
}

export function drain(
  mailbox: Mailbox,
  handle: (d: Delivery) => void | Promise<void>,
  quarantine: Quarantine,
  concurrency = 1,
): Draining {
  const guarded = quarantine.guard(handle);
  let inFlight = 0;
  let slot: (() => void) | undefined;
  const loop = (async () => {
    for await (const d of mailbox) {
      if (concurrency === 1) {
        await guarded(d);
        continue;
      }
      while (inFlight >= concurrency) await new Promise<void>((r) => (slot = r));
      inFlight++;
      void guarded(d).finally(() => {
        inFlight--;
        slot?.();
      });
    }
  })();
  return {
    async stop() {
      await mailbox.close();
      await loop.catch(() => {});
    },
  };
}
