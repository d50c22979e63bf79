/**
 * Code hashing for tAudit. A function's source is parsed with the TypeScript
 * compiler, its types and comments are erased (exactly what Node's type
 * stripping leaves out at run time), and the syntax tree is printed again in
 * one fixed layout. The code hash is SHA-256 over the UTF-8 bytes of that
 * normalised text, so:
 *
 * - whitespace, line breaks, indentation, comments, quote style, semicolons,
 *   trailing commas and type annotations never change a hash;
 * - any change to the code that runs (a token, a name, a literal, grouping
 *   parentheses) does.
 *
 * The normalised text is readable JavaScript: it is what an auditor reviews,
 * and the registry re-hashes it to check a submission.
 */
import { createHash } from "node:crypto";
import ts from "typescript";
import { eraseTypes } from "./erase-types.ts";

export class SourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SourceError";
  }
}

/** The ways a function's text can stand: an expression, an object member, a class member. */
const WRAPPERS = [
  { before: "(", after: "\n);", pick: (e: ts.Expression) => e },
  {
    before: "({",
    after: "\n});",
    pick: (e: ts.Expression) => (ts.isObjectLiteralExpression(e) ? e.properties[0] : undefined),
  },
  {
    before: "(class {",
    after: "\n});",
    pick: (e: ts.Expression) => (ts.isClassExpression(e) ? e.members[0] : undefined),
  },
] as const;

const printer = ts.createPrinter({ removeComments: true, newLine: ts.NewLineKind.LineFeed });

/** Normalises the source text of one function (as written, or as `fn.toString()` gives it). */
export function normaliseFunction(source: string): string {
  if (source.length === 0 || source.length > 1_000_000) throw new SourceError("function source must be 1 byte to 1 MB");
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source))
    throw new SourceError("a native or bound function has no source to audit");
  for (const w of WRAPPERS) {
    const parsed = ts.createSourceFile(
      "fn.ts",
      w.before + source + w.after,
      ts.ScriptTarget.ESNext,
      true,
      ts.ScriptKind.TS,
    );
    if (hasSyntaxErrors(parsed)) continue;
    const result = ts.transform(parsed, [eraseTypes]);
    const sf = result.transformed[0]!;
    result.dispose();
    const only = sf.statements.length === 1 ? sf.statements[0] : undefined;
    if (!only || !ts.isExpressionStatement(only)) continue;
    let expr = only.expression;
    while (ts.isParenthesizedExpression(expr)) expr = expr.expression;
    const node = w.pick(expr);
    if (!node || !isFunctionLike(node)) continue;
    forgetLayout(node);
    return printer.printNode(ts.EmitHint.Unspecified, node, sf);
  }
  throw new SourceError("not the source of a single function, arrow function or method");
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The code hash and normalised text of a function's source. */
export function hashFunctionSource(source: string): { hash: string; normalised: string } {
  const normalised = normaliseFunction(source);
  return { hash: sha256Hex(normalised), normalised };
}

function hasSyntaxErrors(sf: ts.SourceFile): boolean {
  // The parser keeps its diagnostics on the file; older or newer compilers may not, so ask the transpiler then.
  const own = (sf as ts.SourceFile & { parseDiagnostics?: readonly unknown[] }).parseDiagnostics;
  if (own) return own.length > 0;
  return (ts.transpileModule(sf.text, { reportDiagnostics: true }).diagnostics ?? []).length > 0;
}

function isFunctionLike(node: ts.Node): boolean {
  return (
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

/**
 * Makes the printer lay the tree out from its structure alone: with no source
 * positions every node counts as synthesised, so literals print from their
 * values (double quotes), and the parser's memory of single-line objects,
 * blocks, quote style and trailing commas is cleared.
 */
function forgetLayout(node: ts.Node): void {
  const n = node as ts.Node & { pos: number; end: number; multiLine?: boolean; singleQuote?: boolean };
  n.pos = -1;
  n.end = -1;
  if (ts.isObjectLiteralExpression(node) || ts.isBlock(node)) n.multiLine = true;
  if (ts.isArrayLiteralExpression(node)) n.multiLine = false;
  if (ts.isStringLiteral(node)) n.singleQuote = undefined;
  ts.forEachChild(node, forgetLayout, (list) => {
    const l = list as ts.NodeArray<ts.Node> & { pos: number; end: number; hasTrailingComma: boolean };
    l.pos = -1;
    l.end = -1;
    l.hasTrailingComma = false;
    list.forEach(forgetLayout);
  });
}
