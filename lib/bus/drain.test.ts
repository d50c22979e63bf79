/** The read loop's concurrency: never more handlers at once than asked for, and a throwing one goes to `failed`. */
import { describe, expect, it } from "vitest";
import { drain } from "./drain.ts";
import type { Quarantine } from "./quarantine.ts";
import type { Delivery, Mailbox } from "./types.ts";

const delivery = (n: number) => ({ subject: "s", data: new Uint8Array(), deliveryCount: 1, streamSeq: n }) as Delivery;

function mailboxOf(count: number): Mailbox {
  return {
    async *[Symbol.asyncIterator]() {
      for (let n = 1; n <= count; n++) {
        await Promise.resolve(); // a bus hands messages over asynchronously
        yield delivery(n);
      }
    },
    close: () => Promise.resolve(),
  };
}

function quarantine(failed: number[]): Quarantine {
  return {
    actor: "test",
    reject: () => {},
    failed: (d) => failed.push(d.streamSeq),
    guard: (handle) => async (d) => {
      try {
        await handle(d);
      } catch {
        failed.push(d.streamSeq);
      }
    },
  };
}

const tick = () => new Promise((r) => setTimeout(r, 2));

describe("drain", () => {
  it.each([1, 3])("runs at most %i handlers at once, and every message once", async (concurrency) => {
    let now = 0;
    let most = 0;
    const seen: number[] = [];
    const failed: number[] = [];
    drain(
      mailboxOf(20),
      async (d) => {
        now++;
        most = Math.max(most, now);
        await tick();
        now--;
        seen.push(d.streamSeq);
        if (d.streamSeq === 7) throw new Error("poison");
      },
      quarantine(failed),
      concurrency,
    );
    for (let i = 0; i < 500 && seen.length < 20; i++) await tick();
    expect(most).toBe(concurrency);
    expect(seen.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(failed).toEqual([7]);
  });
});
