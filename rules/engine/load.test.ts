import { describe, expect, it } from "vitest";
import { compilePack } from "./compile.ts";
import { loadPackFiles, RuleError } from "./load.ts";

const load = (...texts: string[]) =>
  compilePack(loadPackFiles(texts.map((text, i) => ({ path: `pack/f${i}.yaml`, text }))));
const error = (...texts: string[]): RuleError => {
  try {
    load(...texts);
  } catch (e) {
    if (e instanceof RuleError) return e;
    throw e;
  }
  throw new Error("no error");
};
const r = (when: string, then = "{ score: 1 }") =>
  `rules:\n  - id: r\n    when: ${when}\n    then: ${then}\n    reason: { code: RR, message: m }\n`;

describe("rule errors point at file:line:column", () => {
  it.each([
    ["broken YAML", "rules: [\n", 2, /Flow sequence|Unexpected|flow/i],
    ["an unknown operator", r("{ field: a, gtt: 5 }"), 3, /gtt/],
    ["two operators in one condition", r("{ field: a, gt: 1, lt: 2 }"), 3, /exactly one operator/],
    ["an unknown list", r("{ field: a, in: $nope }"), 3, /unknown list \$nope/],
    ["an unknown parameter", r("{ field: a, gt: $nope }"), 3, /unknown parameter \$nope/],
    ["an invalid regex", r("{ field: a, regex: '(' }"), 3, /invalid regex/],
    ["invalid CEL", r("{ expr: 'amount >' }"), 3, /invalid CEL/],
    ["an unknown velocity", r("{ field: velocity.nope, gt: 1 }"), 3, /unknown velocity "nope"/],
    ["a bad challenge kind", r("{ field: a, eq: 1 }", "{ challenge: dance }"), 4, /challenge/],
    ["a bad duration", "velocity:\n  v: { per: a, window: 5 weeks, count: true }\n", 2, /duration/],
  ])("%s", (_, text, line, message) => {
    const e = error(text);
    expect(e.file).toBe("pack/f0.yaml");
    expect(e.line).toBe(line);
    expect(e.message).toMatch(/^pack\/f0\.yaml:\d+:\d+: /);
    expect(e.message).toMatch(message);
  });

  it("a rule id defined twice names both places", () => {
    const e = error(r("{ field: a, eq: 1 }"), r("{ field: a, eq: 2 }"));
    expect(e.file).toBe("pack/f1.yaml");
    expect(e.message).toMatch(/defined twice \(first at pack\/f0\.yaml:2\)/);
  });

  it("an override of an unknown rule or parameter is refused", () => {
    expect(error(r("{ field: a, eq: 1 }"), "org: acme\ndisable: [ghost]\n").message).toMatch(
      /f1\.yaml:2:\d+: cannot disable unknown rule "ghost"/,
    );
    expect(error("params: { limit: 1 }\n", "org: acme\nparams: { limt: 2 }\n").message).toMatch(
      /unknown parameter "limt"/,
    );
    expect(error("params: { limit: 1 }\n", "org: acme\nparams: { limit: high }\n").message).toMatch(/must be a number/);
  });

  it("the shipped default pack loads", async () => {
    const { loadPack } = await import("../index.ts");
    const p = loadPack();
    expect(p.name).toBe("default");
    expect(p.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
