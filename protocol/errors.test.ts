import { globSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ErrorCodes, SiqError, WireCodes, type WireCodeKind } from "./errors.ts";
import { RejectionClasses } from "./rejections.ts";
import { SettlementErrors } from "./settlement-errors.ts";

const ROOT = join(import.meta.dirname, "..");

/** Each catalogue: its section of docs/ERRORS.md, and the status each of its codes is documented with. */
const sections: Record<WireCodeKind, { title: string; status: string }> = {
  payment_rejection: { title: "Payment rejections", status: "rejected" },
  quorum_reason: { title: "Quorum reasons", status: "reason" },
  verdict_rejection: { title: "Verdict rejections", status: "refused" },
  verdict_result: { title: "Verdict results", status: "(counted|dropped|evidence)" },
  log_problem: { title: "Log verification", status: "exit 1" },
  entry_problem: { title: "Log verification", status: "exit 1" },
  bus_refusal: { title: "Bus refusals", status: "refused" },
};
const catalogued: { title: string; code: string; status: string }[] = [
  ...Object.entries(ErrorCodes).map(([code, status]) => ({ title: "HTTP errors", code, status: String(status) })),
  ...Object.keys(SettlementErrors).map((code) => ({ title: "Settlement failures", code, status: "failed" })),
  ...Object.entries(WireCodes).map(([code, kind]) => ({ code, ...sections[kind] })),
];
const allCodes = new Set(catalogued.map((c) => c.code));

/** docs/ERRORS.md split at its `## ` headings. */
function docSections(): Map<string, string> {
  const doc = readFileSync(join(ROOT, "docs/ERRORS.md"), "utf8");
  return new Map(
    doc
      .split(/^## /m)
      .slice(1)
      .map((s) => [s.slice(0, s.indexOf("\n")).trim(), s]),
  );
}

const CODE_PATTERNS = [
  /\bcode:\s*["'`]([A-Z][A-Z0-9_]+)["'`]/g, // { code: "X" }, and { code: "X"; … } in types
  /\bcode\s*[!=]==\s*["'`]([A-Z][A-Z0-9_]+)["'`]/g, // comparisons
  /["'`]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)["'`]/g, // any "SNAKE_CASE" string
];
/** Not ours: Fastify's own error codes, which the API maps to catalogued ones. */
const FOREIGN = /^FST_/;
/**
 * Code-like strings that never leave the process: the reason on the hypothetical
 * verdicts `decideQuorum` adds to see whether the outcome can still change.
 */
const INTERNAL = new Set(["PHANTOM"]);
/** The rule packs' reason codes, which `protocol/rejections.ts` sorts into rejection classes (docs/RULES.md). */
const REASONS = new Set<string>(Object.values(RejectionClasses).flatMap((c) => [...c.codes]));

/** Every code-like string in `text`, by line. */
function codesIn(text: string): { code: string; line: number }[] {
  return text.split("\n").flatMap((line, i) =>
    line.trimStart().startsWith("import ") || /^\s*(\*|\/\/)/.test(line)
      ? []
      : [...new Set(CODE_PATTERNS.flatMap((p) => [...line.matchAll(p)].map((m) => m[1]!)))].map((code) => ({
          code,
          line: i + 1,
        })),
  );
}

describe("the error catalogue", () => {
  const docs = docSections();

  it.each(catalogued)("documents $code in “$title” with status $status", ({ title, code, status }) => {
    expect(docs.has(title), `no section "## ${title}" in docs/ERRORS.md`).toBe(true);
    expect(docs.get(title)).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
  });

  it("documents no code that no catalogue has", () => {
    const rows = [...docs.values()].flatMap((s) => [...s.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));
    expect(rows.length).toBeGreaterThanOrEqual(catalogued.length);
    expect(rows.filter((c) => !allCodes.has(c))).toEqual([]);
  });

  it("has every code the server-side source uses (on the wire, in the log, in metrics)", () => {
    const files = globSync("{coordinator,lib,node,protocol,rules}/**/*.ts", { cwd: ROOT }).filter(
      (f) => !f.endsWith(".test.ts"),
    );
    const used = files.flatMap((f) =>
      codesIn(readFileSync(join(ROOT, f), "utf8")).map((c) => ({ ...c, at: `${f}:${c.line}` })),
    );
    expect(used.length).toBeGreaterThan(50);
    const stray = used.filter(
      (u) => !allCodes.has(u.code) && !FOREIGN.test(u.code) && !INTERNAL.has(u.code) && !REASONS.has(u.code),
    );
    expect(stray.map((s) => `${s.at} ${s.code}`)).toEqual([]);
  });

  it("catches an uncatalogued code however it is written", () => {
    const source = [
      'reply.send({ code: "NEW_THING", message: "…" });',
      "type R = { code: 'OTHER'; n: number };",
      'if (x.code === "THIRD") return;',
      'const problem = cond ? "FOURTH_ONE" : null;',
      'import { X } from "./IGNORED_IMPORT.ts";',
      ' * a comment may name "IN_PROSE"',
    ].join("\n");
    expect(codesIn(source).map((c) => c.code)).toEqual(["NEW_THING", "OTHER", "THIRD", "FOURTH_ONE"]);
  });

  it("puts the code and message in error_details, with the issues", () => {
    const wire = new SiqError("INVALID_AMOUNT", "amount: must be positive", {
      issues: [{ path: "amount", message: "must be positive" }],
    }).toWire();
    expect(wire).toEqual({
      statusCode: 400,
      error: "Bad Request",
      code: "INVALID_AMOUNT",
      message: "amount: must be positive",
      error_details: {
        code: "INVALID_AMOUNT",
        message: "amount: must be positive",
        issues: [{ path: "amount", message: "must be positive" }],
      },
    });
  });
});
