/**
 * The command line as a whole: every command answers --help, the contract's
 * commands are all there, and bad flags are refused with a message, never a crash.
 */
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { program } from "./main.ts";

/** Runs argv through a fresh program, capturing what it prints and how it exits (nothing is really run). */
async function run(argv: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  let out = "";
  let err = "";
  const p = program();
  const quiet = (c: Command): void => {
    c.exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
    for (const sub of c.commands) quiet(sub);
  };
  quiet(p);
  try {
    await p.parseAsync(argv, { from: "user" });
    return { out, err, code: undefined };
  } catch (e) {
    const exit = (e as { exitCode?: number }).exitCode;
    if (exit === undefined) return { out, err: err + (e as Error).message, code: -1 };
    return { out, err, code: exit };
  }
}

function paths(c: Command, prefix: string[] = []): string[][] {
  return c.commands.flatMap((sub) => [[...prefix, sub.name()], ...paths(sub, [...prefix, sub.name()])]);
}

describe("sentineliq", () => {
  it("has the contract's commands and the existing ones", () => {
    const names = program().commands.map((c) => c.name());
    for (const name of [
      "dev",
      "coordinator",
      "node",
      "keys",
      "pay",
      "log",
      "rules",
      "bench",
      "respond",
      "audit",
      "validators",
      "mail",
      "challenges",
      "org",
      "user",
      "key",
      "webhook",
    ])
      expect(names).toContain(name);
  });

  it("answers --help on every command", async () => {
    const all = paths(program());
    expect(all.length).toBeGreaterThan(25);
    for (const path of all) {
      const r = await run([...path, "--help"]);
      expect(r.code, path.join(" ")).toBe(0);
      expect(r.out, path.join(" ")).toContain(`Usage: sentineliq ${path.join(" ")}`);
    }
  });

  it("refuses a malformed number before running anything", async () => {
    const r = await run(["dev", "--validators", "four"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("--validators must be a whole number");
    expect((await run(["bench", "-n", "-5"])).code).toBe(1);
  });

  it("refuses an unknown fault drill and an unknown option", async () => {
    const bad = await run(["dev", "--faulty", "v1=explode"]);
    expect(bad.code).toBe(-1);
    expect(bad.err).toMatch(/^--faulty: .*equivocate/);
    expect((await run(["dev", "--faulty", "v1"])).err).toContain("expected <validator>=<mode>");
    expect((await run(["pay", "--no-such-flag"])).code).toBe(1);
    expect((await run(["dev", "--settlement", "paypal"])).code).toBe(1);
  });

  it("refuses a registry state that does not exist", async () => {
    const r = await run(["audit", "list", "--state", "maybe"]);
    expect(r.code).toBe(-1);
    expect(r.err).toMatch(/^--state: /);
  });

  it("refuses a validator without an id and a key", async () => {
    const r = await run(["node"]);
    expect(r.err).toContain("node needs --id and --key");
  });
});
