import { describe, expect, it } from "vitest";
import { Window } from "./window.ts";

describe("sliding window", () => {
  it("counts, sums and counts distinct values over (t - width, t]", () => {
    const w = new Window();
    w.add(1000, 5, 60_000);
    w.add(2000, 7, 60_000);
    w.add(3000, 5, 60_000);
    expect(w.read("count", 3000, 60_000)).toBe(3);
    expect(w.read("sum", 3000, 60_000)).toBe(17);
    expect(w.read("distinct", 3000, 60_000)).toBe(2);
    expect(w.read("count", 61_000, 60_000)).toBe(2); // the first has slid out
  });

  it("forgets what falls out as time moves on", () => {
    const w = new Window();
    w.add(0, "a", 1000);
    w.add(5000, "b", 1000);
    expect(w.read("distinct", 5000, 1000)).toBe(1);
    w.expire(10_000);
    expect(w.empty).toBe(true);
  });

  it("ignores, when reading at t, what happened after t (seen out of order)", () => {
    const w = new Window();
    w.add(5000, 1, 60_000);
    w.add(2000, 1, 60_000);
    expect(w.read("count", 3000, 60_000)).toBe(1);
    expect(w.read("count", 5000, 60_000)).toBe(2);
  });

  it("keeps decimal sums exact enough", () => {
    const w = new Window();
    w.add(1, 0.1, 1000);
    w.add(2, 0.2, 1000);
    expect(w.read("sum", 2, 1000)).toBe(0.3);
  });
});
