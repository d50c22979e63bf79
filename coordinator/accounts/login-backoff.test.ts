import { describe, expect, it } from "vitest";
import { LoginBackoff } from "./login-backoff.ts";

describe("login backoff", () => {
  it("doubles with each rejection up to the maximum, and counts down", () => {
    const b = new LoginBackoff({ baseSeconds: 30, maxSeconds: 300 });
    const t = 1_000_000;
    expect(b.remaining("usr_a", t)).toBe(0);
    expect([1, 2, 3, 4, 5].map((i) => b.strike("usr_a", t + i))).toEqual([30, 60, 120, 240, 300]);
    expect(b.remaining("usr_a", t + 5 + 100_000)).toBeCloseTo(200, 0);
    expect(b.remaining("usr_b", t)).toBe(0);
  });

  it("a success clears it; strikes long past are forgiven", () => {
    const b = new LoginBackoff({ baseSeconds: 30, maxSeconds: 300 });
    b.strike("usr_a", 0);
    b.strike("usr_a", 0);
    b.clear("usr_a");
    expect(b.remaining("usr_a", 0)).toBe(0);
    expect(b.strike("usr_a", 0)).toBe(30);
    expect(b.strike("usr_a", 1000)).toBe(60);
    expect(b.strike("usr_a", 61_000 + 301_000)).toBe(30);
  });

  it("keeps at most maxAccounts accounts (an attacker cannot grow it without bound)", () => {
    const b = new LoginBackoff({ baseSeconds: 30, maxSeconds: 300, maxAccounts: 3 });
    for (let i = 0; i < 10; i++) b.strike(`usr_${i}`, 0);
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => b.remaining(`usr_${i}`, 0))).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(b.remaining("usr_9", 0)).toBe(30);
  });
});
