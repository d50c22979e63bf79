/** A failed batch is tried again item by item: one bad item fails only its own caller. */
import { describe, expect, it } from "vitest";
import { Batcher } from "./batcher.ts";

describe("Batcher", () => {
  it("batches what arrives together, and on failure isolates the bad item", async () => {
    const calls: number[][] = [];
    const b = new Batcher<number, number>(async (items) => {
      calls.push(items);
      await Promise.resolve();
      if (items.includes(13)) throw new Error("13 is unlucky");
      return items.map((i) => i * 2);
    });
    const results = await Promise.allSettled([1, 2, 13, 4].map((i) => b.push(i)));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : (r.reason as Error).message))).toEqual([
      2,
      4,
      "13 is unlucky",
      8,
    ]);
    expect(calls).toEqual([[1, 2, 13, 4], [1], [2], [13], [4]]);
    // And it keeps working afterwards.
    expect(await b.push(5)).toBe(10);
  });

  it("a failing single item is not tried twice", async () => {
    let calls = 0;
    const b = new Batcher<number, number>(async () => {
      calls++;
      await Promise.resolve();
      throw new Error("down");
    });
    await expect(b.push(1)).rejects.toThrow("down");
    expect(calls).toBe(1);
  });
});
