/** Formatting never changes a code hash; a one-token change to the code always does. */
import fc from "fast-check";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { hashFunctionSource, normaliseFunction, SourceError } from "./normalise.ts";

const hash = (s: string) => hashFunctionSource(s).hash;

const PAY = `async function payInvoice(client: Client, invoice: Invoice): Promise<Payment> {
  const amount = invoice.total - invoice.discount;
  if (amount > 500) { throw new Error('needs a human') }
  return client.pay({ receiver: invoice.merchant, amount: String(amount), currency: "USDC", debug_mode: true });
}`;

describe("normaliseFunction: formatting keeps the hash", () => {
  const variants: [string, string][] = [
    [
      "re-indented and re-wrapped, with comments and single quotes",
      `async function payInvoice(
    client: Client,
    invoice: Invoice,   // the invoice to settle
): Promise<Payment>
{
    /* what we owe */
    const amount = invoice.total - invoice.discount
    if (amount > 500) {
        throw new Error("needs a human");
    }
    return client.pay({
        receiver: invoice.merchant,
        amount: String(amount),
        currency: 'USDC',
        debug_mode: true,
    })
}`,
    ],
    [
      "on one line, without types",
      `async function payInvoice(client, invoice) { const amount = invoice.total - invoice.discount; if (amount > 500) { throw new Error("needs a human"); } return client.pay({ receiver: invoice.merchant, amount: String(amount), currency: "USDC", debug_mode: true }); }`,
    ],
    ["with CRLF line endings and tabs", PAY.replace(/\n/g, "\r\n").replace(/ {2}/g, "\t")],
    [
      "with a JSDoc block and type assertions",
      PAY.replace("{\n  const", "{\n  /** @returns the payment */\n  const").replace(
        "String(amount)",
        "String(amount as number)",
      ),
    ],
  ];

  it.each(variants)("%s", (_name, variant) => {
    expect(hash(variant)).toBe(hash(PAY));
  });

  it("is stable: this exact text and hash (a new TypeScript printer must not move existing hashes)", () => {
    const want =
      'async function payInvoice(client, invoice) {\n    const amount = invoice.total - invoice.discount;\n    if (amount > 500) {\n        throw new Error("needs a human");\n    }\n' +
      '    return client.pay({\n        receiver: invoice.merchant,\n        amount: String(amount),\n        currency: "USDC",\n        debug_mode: true\n    });\n}';
    expect(normaliseFunction(PAY)).toBe(want);
    expect(hash(PAY)).toBe("bf4aa4586b48d2dad940f7f96bbef975b1fdf5f5b96b594f2b9df0b3911551c7");
  });

  it("is a fixed point: normalising normalised text changes nothing", () => {
    const once = normaliseFunction(PAY);
    expect(normaliseFunction(once)).toBe(once);
  });

  it("erases what Node's type stripping erases, so source and fn.toString() agree", () => {
    const typed = "<T extends object>(x: T, y?: number): x is T => (x as any) !== null && y! > 0";
    const stripped = "           (x   , y         )            => (x       ) !== null && y  > 0";
    expect(hash(stripped)).toBe(hash(typed));
  });

  it("reads arrows, methods, accessors and class members as they print from fn.toString()", () => {
    expect(normaliseFunction("async (a) => { return a }")).toBe("async (a) => {\n    return a;\n}");
    expect(normaliseFunction("async pay(x) { return x }")).toBe("async pay(x) {\n    return x;\n}");
    expect(normaliseFunction("get total() { return 1 }")).toMatch(/^get total\(\)/);
    expect(normaliseFunction("#settle(x) { return x }")).toMatch(/^#settle\(x\)/);
    expect(hash("a => a + 1")).toBe(hash("(a) => a + 1"));
  });
});

describe("normaliseFunction: code changes change the hash", () => {
  const edits: [string, string, string][] = [
    ["a number", "amount > 500", "amount > 501"],
    ["an operator", "amount > 500", "amount >= 500"],
    ["a string", '"USDC"', '"USDT"'],
    ["a name", "invoice.merchant", "invoice.owner"],
    ["a boolean", "debug_mode: true", "debug_mode: false"],
    ["grouping", "invoice.total - invoice.discount", "(invoice.total - invoice.discount)"],
    ["the function's own name", "function payInvoice", "function payInvoices"],
  ];
  it.each(edits)("%s", (_name, from, to) => {
    expect(PAY.includes(from)).toBe(true);
    expect(hash(PAY.replace(from, to))).not.toBe(hash(PAY));
  });

  it("dropping a statement changes it", () => {
    expect(hash(PAY.replace(/\s*if \(amount > 500\) \{[^}]*\}/, ""))).not.toBe(hash(PAY));
  });
});

describe("normaliseFunction: what is not a function", () => {
  it.each([
    ["a statement", "const x = 1;"],
    ["two functions", "function a() {} function b() {}"],
    ["broken syntax", "function (a { return a }"],
    ["a native function", Math.max.toString()],
    ["a bound function", (() => 1).bind(null).toString()],
    ["nothing", ""],
  ])("refuses %s", (_name, text) => {
    expect(() => normaliseFunction(text)).toThrow(SourceError);
  });
});

/** Tokens of a source text, as written (the `>` family re-scanned whole). */
function tokens(text: string): { kind: ts.SyntaxKind; text: string; start: number }[] {
  const scanner = ts.createScanner(ts.ScriptTarget.ESNext, true, ts.LanguageVariant.Standard, text);
  const out: { kind: ts.SyntaxKind; text: string; start: number }[] = [];
  for (let k = scanner.scan(); k !== ts.SyntaxKind.EndOfFileToken; k = scanner.scan()) {
    if (k === ts.SyntaxKind.GreaterThanToken) k = scanner.reScanGreaterToken();
    out.push({ kind: k, text: scanner.getTokenText(), start: scanner.getTokenStart() });
  }
  return out;
}

/** Tokens after which a line break would change the code (automatic semicolon insertion). */
const NO_BREAK_AFTER = new Set(["return", "throw", "break", "continue", "yield", "async", "get", "set", "static"]);
const NO_BREAK_BEFORE = new Set(["=>", "++", "--", "[", "<"]); // "[" and "<" after a type name must stay on its line

/** Start offsets of the tokens that sit inside type syntax (erased, so editing them changes nothing). */
function typeOnlyOffsets(text: string): (offset: number) => boolean {
  const sf = ts.createSourceFile("s.ts", "(" + text + ")", ts.ScriptTarget.ESNext, true);
  const ranges: [number, number][] = [];
  const walk = (n: ts.Node): void => {
    if (ts.isTypeNode(n)) ranges.push([n.getStart(sf) - 1, n.end - 1]);
    else ts.forEachChild(n, walk);
  };
  walk(sf);
  return (offset) => ranges.some(([a, b]) => offset >= a && offset < b);
}

describe("normaliseFunction: properties", () => {
  const samples = [
    PAY,
    "function f(a: number, b = [1, 2, 3], ...rest: string[]) { for (const x of b) { a += x * 2 } return { a, rest, ok: a >= 10 && !rest.length } }",
    "async (req: { id: string }) => { try { await fetch('http://x/' + req.id, { method: 'POST' }) } catch (e) { console.error(e) } finally { done() } }",
    "function g(x) { switch (x) { case 1: return 'one'; default: return x ?? null } }",
  ];

  it("re-spacing the tokens and adding comments keeps the hash", () => {
    const gap = fc.constantFrom(" ", "  ", "\t", "\n", "\n\n    ", " /* note */ ", " // why\n");
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.array(gap, { minLength: 200, maxLength: 200 }), (sample, gaps) => {
        const toks = tokens(sample);
        let text = toks[0]!.text;
        for (let i = 1; i < toks.length; i++) {
          let g = gaps[i % gaps.length]!;
          if (g.includes("\n") && (NO_BREAK_AFTER.has(toks[i - 1]!.text) || NO_BREAK_BEFORE.has(toks[i]!.text)))
            g = " ";
          text += g + toks[i]!.text;
        }
        expect(hash(text)).toBe(hash(sample));
      }),
      { numRuns: 60 },
    );
  });

  it("changing any one identifier, number or string changes the hash", () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.nat(), (sample, pick) => {
        const toks = tokens(sample);
        const editable = toks
          .map((t, i) => ({ ...t, i }))
          .filter(
            (t) =>
              t.kind === ts.SyntaxKind.Identifier ||
              t.kind === ts.SyntaxKind.NumericLiteral ||
              t.kind === ts.SyntaxKind.StringLiteral,
          );
        const target = editable[pick % editable.length]!;
        const changed =
          target.kind === ts.SyntaxKind.Identifier
            ? target.text + "2"
            : target.kind === ts.SyntaxKind.NumericLiteral
              ? target.text + "7"
              : target.text.slice(0, -1) + "!" + target.text.slice(-1);
        const text = toks.map((t, i) => (i === target.i ? changed : t.text)).join(" ");
        let edited: string;
        try {
          edited = hash(text);
        } catch {
          return; // the edit made the text unparseable (e.g. a renamed keyword-like name): nothing to compare
        }
        // Names inside type syntax are erased, so editing one cannot change the code.
        if (!typeOnlyOffsets(sample)(target.start)) expect(edited).not.toBe(hash(sample));
      }),
      { numRuns: 150 },
    );
  });
});
