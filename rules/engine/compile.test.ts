import { describe, expect, it } from "vitest";
import { compilePack } from "./compile.ts";
import { loadPackFiles } from "./load.ts";

const pack = (rules: string, extra = "", files: { path: string; text: string }[] = []) =>
  compilePack(
    loadPackFiles([
      {
        path: "p/pack.yaml",
        text: `pack: t\nparams: { limit: 100, floor: 10 }\nlists: { cc: [KP, IR] }\n${extra}\nrules:\n${rules}`,
      },
      ...files,
    ]),
  );
const rule = (id: string, when: string, then = "{ score: 10 }", extra = "") =>
  `  - id: ${id}\n    when: ${when}\n    then: ${then}\n    reason: { code: X_${id.toUpperCase()}, message: m }\n${extra}`;
const fired = (p: ReturnType<typeof pack>, facts: Record<string, unknown>) =>
  p.evaluate({ kind: "payment", ...facts }).reasons.map((r) => r.rule_id);

describe("conditions", () => {
  it.each([
    ["{ field: a, eq: x }", { a: "x" }, { a: "y" }],
    ["{ field: a, ne: x }", { a: "y" }, { a: "x" }],
    ["{ field: n, gt: 5 }", { n: 6 }, { n: 5 }],
    ["{ field: n, gte: 5 }", { n: 5 }, { n: 4 }],
    ["{ field: n, lt: 5 }", { n: 4 }, { n: 5 }],
    ["{ field: n, lte: 5 }", { n: 5 }, { n: 6 }],
    ["{ field: n, between: [2, 4] }", { n: 4 }, { n: 5 }],
    ["{ field: n, gt: $limit }", { n: 101 }, { n: 100 }],
    ["{ field: n, between: [$floor, $limit] }", { n: 10 }, { n: 9 }],
    ["{ field: c, in: $cc }", { c: "KP" }, { c: "DE" }],
    ["{ field: c, in: [a, b] }", { c: "b" }, { c: "c" }],
    ["{ field: c, not_in: $cc }", { c: "DE" }, {}],
    ["{ field: h, any_not_in: [x, y] }", { h: ["x", "z"] }, { h: ["x", "y"] }],
    ["{ field: h, contains_any: [z] }", { h: ["x", "z"] }, { h: ["x"] }],
    ["{ field: t, contains_any: [ignore previous] }", { t: "Please IGNORE previous orders" }, { t: "ignore" }],
    ["{ field: t, regex: '^inv-[0-9]+$' }", { t: "inv-12" }, { t: "inv-x" }],
    ["{ field: t, exists: true }", { t: "x" }, { t: "" }],
    ["{ field: t, exists: false }", {}, { t: "x" }],
    ["{ field: m.k.z, eq: 1 }", { m: { k: { z: 1 } } }, { m: { k: null } }],
    ["{ all: [{ field: a, eq: 1 }, { field: b, eq: 2 }] }", { a: 1, b: 2 }, { a: 1, b: 3 }],
    ["{ any: [{ field: a, eq: 1 }, { field: b, eq: 2 }] }", { b: 2 }, { a: 2 }],
    ["{ not: { field: a, eq: 1 } }", { a: 2 }, { a: 1 }],
    [
      "{ expr: 'sender == receiver && amount > 5.0' }",
      { sender: "s", receiver: "s", amount: 6 },
      { sender: "s", receiver: "r", amount: 6 },
    ],
  ])("%s", (when, yes, no) => {
    const p = pack(rule("r", when));
    expect(fired(p, yes)).toEqual(["r"]);
    expect(fired(p, no)).toEqual([]);
  });

  it("a CEL runtime error makes the condition false, not the verdict", () => {
    const p = pack(rule("r", "{ expr: 'metadata.missing == 1' }"));
    expect(fired(p, { metadata: {} })).toEqual([]);
  });
});

describe("actions, layers and bands", () => {
  it("adds scores and maps them to bands, clamped to 0-100", () => {
    const p = pack(
      [rule("a", "{ field: x, eq: 1 }", "{ score: 40 }"), rule("b", "{ field: y, eq: 1 }", "{ score: 30 }")].join(""),
    );
    expect(p.evaluate({ kind: "payment", x: 1 })).toMatchObject({ risk_level: "MEDIUM", score: 40 });
    expect(p.evaluate({ kind: "payment", x: 1, y: 1 })).toMatchObject({ risk_level: "HIGH", score: 70 });
  });

  it("min_level raises the level and the score to the band floor", () => {
    const p = pack(rule("a", "{ field: x, eq: 1 }", "{ min_level: HIGH }"));
    expect(p.evaluate({ kind: "payment", x: 1 })).toMatchObject({ risk_level: "HIGH", score: 60 });
  });

  it("a challenge is at least MEDIUM and names its kinds once", () => {
    const p = pack(
      [
        rule("a", "{ field: x, eq: 1 }", "{ challenge: step_up }"),
        rule("b", "{ field: x, eq: 1 }", "{ challenge: step_up }"),
      ].join(""),
    );
    expect(p.evaluate({ kind: "payment", x: 1 })).toMatchObject({ risk_level: "MEDIUM", challenge_kinds: ["step_up"] });
  });

  it("after a challenge, evidence answers a rule; a proof of purpose alone never answers a HIGH rule", () => {
    const p = pack(
      [
        rule("med", "{ field: x, eq: 1 }", "{ min_level: MEDIUM, challenge: proof_of_purpose }"),
        rule("high", "{ field: y, eq: 1 }", "{ min_level: HIGH, challenge: proof_of_purpose }"),
        rule("ato", "{ field: z, eq: 1 }", "{ min_level: HIGH, challenge: step_up }"),
      ].join(""),
    );
    const after = (satisfied: string[], f: object) => p.evaluate({ kind: "payment", ...f, challenge: { satisfied } });
    expect(after(["proof_of_purpose"], { x: 1 })).toMatchObject({ risk_level: "LOW" });
    // The proof was given, but a HIGH rule needs a person of the organisation: it asks for a step-up now.
    expect(after(["proof_of_purpose"], { y: 1 })).toMatchObject({ risk_level: "HIGH", challenge_kinds: ["step_up"] });
    expect(after([], { y: 1 })).toMatchObject({ risk_level: "HIGH", challenge_kinds: ["proof_of_purpose"] });
    expect(after(["step_up"], { y: 1 })).toMatchObject({ risk_level: "LOW" });
    expect(after(["proof_of_purpose", "step_up"], { x: 1, y: 1, z: 1 })).toMatchObject({ risk_level: "LOW" });
    expect(after(["proof_of_purpose"], { z: 1 })).toMatchObject({ risk_level: "HIGH", challenge_kinds: ["step_up"] });
  });

  it("a hard block is immediate: later layers do not run, and no challenge is asked", () => {
    const p = pack(
      [
        rule("late", "{ field: x, eq: 1 }", "{ challenge: logs }", "    layer: velocity\n"),
        rule("stop", "{ field: x, eq: 1 }", "{ block: true }", "    layer: hard\n"),
      ].join(""),
    );
    const e = p.evaluate({ kind: "payment", x: 1 });
    expect(e).toMatchObject({ risk_level: "CRITICAL", score: 90 });
    expect(e.reasons.map((r) => r.code)).toEqual(["X_STOP"]);
    expect(e.challenge_kinds).toBeUndefined();
  });

  it("payment rules do not read events unless they say so", () => {
    const p = pack(
      [
        rule("pay", "{ field: x, eq: 1 }"),
        rule("ev", "{ field: x, eq: 1 }", "{ score: 1 }", "    on: event\n"),
        rule("both", "{ field: x, eq: 1 }", "{ score: 1 }", "    on: any\n"),
      ].join(""),
    );
    expect(fired(p, { x: 1 })).toEqual(["pay", "both"]);
    expect(p.evaluate({ kind: "login_failure", x: 1 }).reasons.map((r) => r.rule_id)).toEqual(["ev", "both"]);
  });

  it("reads live lists the node keeps, beside the pack's own", () => {
    const live = new Set(["h2"]);
    const src = loadPackFiles([
      { path: "p.yaml", text: `lists: { ok: [h1] }\nrules:\n${rule("r", "{ field: h, any_not_in: $ok }")}` },
    ]);
    const p = compilePack(src, { live: { get: (n) => (n === "ok" ? live : undefined) } });
    expect(fired(p, { h: ["h1", "h2"] })).toEqual([]);
    expect(fired(p, { h: ["h3"] })).toEqual(["r"]);
    live.add("h3");
    expect(fired(p, { h: ["h3"] })).toEqual([]);
  });
});

describe("per-organisation overrides", () => {
  const org = {
    path: "p/orgs/acme.yaml",
    text: [
      "org: acme",
      "params: { limit: 50 }",
      "disable: [other]",
      "rules:",
      rule("acme_only", "{ field: y, eq: 1 }"),
      "agents:",
      "  bot-1: { params: { limit: 5 } }",
    ].join("\n"),
  };
  const p = pack([rule("over", "{ field: n, gt: $limit }"), rule("other", "{ field: y, eq: 1 }")].join(""), "", [org]);
  const at = (tenant: string, agent: string, facts: Record<string, unknown>) =>
    fired(p, { tenant_id: tenant, agent_id: agent, ...facts });

  it("an organisation's parameters, disabled and extra rules apply to it alone", () => {
    expect(at("other-org", "a", { n: 60, y: 1 })).toEqual(["other"]);
    expect(at("acme", "a", { n: 60, y: 1 })).toEqual(["over", "acme_only"]);
  });

  it("an agent's own thresholds apply inside its organisation", () => {
    expect(at("acme", "bot-1", { n: 6 })).toEqual(["over"]);
    expect(at("acme", "bot-2", { n: 6 })).toEqual([]);
  });

  it("the pack hash covers the override files", () => {
    const without = pack([rule("over", "{ field: n, gt: $limit }"), rule("other", "{ field: y, eq: 1 }")].join(""));
    expect(without.hash).not.toBe(p.hash);
  });
});

describe("velocity definitions", () => {
  it("compile to keyed specs; the signature changes with what they count, not with unrelated parameters", () => {
    const v =
      "velocity:\n  fails: { where: { field: kind, eq: login_failure }, per: [ip, subject], window: 1m, count: true }";
    const a = pack(rule("r", "{ field: velocity.fails, gte: 5 }"), v);
    const b = compilePack(
      loadPackFiles([
        {
          path: "p.yaml",
          text: `params: { other: 1 }\n${v}\nrules:\n${rule("r", "{ field: velocity.fails, gte: 5 }")}`,
        },
      ]),
    );
    expect(a.velocity[0]).toMatchObject({ name: "fails", windowMs: 60_000, kind: "count" });
    expect(a.velocity[0]!.signature).toBe(b.velocity[0]!.signature);
    expect(a.velocity[0]!.key({ ip: "1.2.3.4", subject: "u" })).toBe("1.2.3.4\u0001u");
    expect(a.velocity[0]!.key({ ip: "1.2.3.4" })).toBeUndefined();
    expect(fired(a, { velocity: { fails: 5 } })).toEqual(["r"]);
  });
});
