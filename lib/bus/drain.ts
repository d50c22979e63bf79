/**
 * An actor's read loop: every delivery of its mailbox to one handler, one at a
 * time, until `stop` closes the mailbox. Whatever the handler throws (or
 * rejects with) goes to the actor's quarantine, never out of the loop: one
 * poison message never stops the actor. A handler that wants several messages
 * in flight returns before its work is done (and handles its own failures).
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
): Draining {
  const guarded = quarantine.guard(handle);
  const loop = (async () => {
    for await (const d of mailbox) await guarded(d);
  })();
  return {
    async stop() {
      await mailbox.close();
      await loop.catch(() => {});
    },
  };
}
