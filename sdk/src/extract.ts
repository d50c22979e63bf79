/**
 * Finds the tagged payment functions in source files without running them:
 * every `paymentFunction(<function>)` call (also `sdk.paymentFunction(...)`),
 * where the argument is a function or arrow written in place, or the name of
 * a function declared or assigned in the same file. Each one is hashed
 * exactly as the running SDK hashes it, so `sentineliq audit hash` and the
 * agent agree.
 */
import ts from "typescript";
import { hashFunctionSource } from "./normalise.ts";

export interface ExtractedFunction {
  name: string;
  file: string;
  line: number;
  column: number;
  hash: string;
  normalised: string;
}

export interface ExtractProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export const TAG_FUNCTION = "paymentFunction";

export function extractTaggedFunctions(
  file: string,
  text: string,
): { functions: ExtractedFunction[]; problems: ExtractProblem[] } {
  const kind = /\.[cm]?jsx?$/.test(file)
    ? ts.ScriptKind.JS
    : /\.tsx$/.test(file)
      ? ts.ScriptKind.TSX
      : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ESNext, true, kind);
  const functions: ExtractedFunction[] = [];
  const problems: ExtractProblem[] = [];
  const where = (node: ts.Node) => {
    const pos = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    return { file, line: pos.line + 1, column: pos.character + 1 };
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && isTagCall(node)) {
      const arg = node.arguments[0];
      const fn = arg && resolveFunction(arg, sf);
      if (!arg || !fn) {
        problems.push({ ...where(node), message: `${TAG_FUNCTION}(...) is not given a function written in this file` });
      } else {
        try {
          const { hash, normalised } = hashFunctionSource(functionText(fn, sf));
          functions.push({ name: nameFor(node, fn), ...where(node), hash, normalised });
        } catch (e) {
          problems.push({ ...where(node), message: (e as Error).message });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { functions, problems };
}

function isTagCall(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text === TAG_FUNCTION;
  return ts.isPropertyAccessExpression(callee) && callee.name.text === TAG_FUNCTION;
}

type FunctionNode = ts.FunctionExpression | ts.ArrowFunction | ts.FunctionDeclaration;

function resolveFunction(arg: ts.Expression, sf: ts.SourceFile): FunctionNode | undefined {
  let e = arg;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isFunctionExpression(e) || ts.isArrowFunction(e)) return e;
  if (!ts.isIdentifier(e)) return undefined;
  const name = e.text;
  let found: FunctionNode | undefined;
  const search = (node: ts.Node): void => {
    if (found) return;
    if (ts.isFunctionDeclaration(node) && node.name?.text === name && node.body) found = node;
    else if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === name &&
      node.initializer
    ) {
      const init = node.initializer;
      if (ts.isFunctionExpression(init) || ts.isArrowFunction(init)) found = init;
    }
    ts.forEachChild(node, search);
  };
  search(sf);
  return found;
}

/** The function's text as `fn.toString()` shows it: from its first runtime token, without `export` or `default`. */
function functionText(fn: FunctionNode, sf: ts.SourceFile): string {
  const mods = (ts.canHaveModifiers(fn) ? ts.getModifiers(fn) : undefined) ?? [];
  const kept = mods.filter((m) => m.kind !== ts.SyntaxKind.ExportKeyword && m.kind !== ts.SyntaxKind.DefaultKeyword);
  const start =
    kept[0]?.getStart(sf) ?? (mods.length > 0 ? skipTrivia(sf, mods[mods.length - 1]!.end) : fn.getStart(sf));
  return sf.text.slice(start, fn.end);
}

function skipTrivia(sf: ts.SourceFile, pos: number): number {
  const scanner = ts.createScanner(ts.ScriptTarget.ESNext, true, ts.LanguageVariant.Standard, sf.text, undefined, pos);
  scanner.scan();
  return scanner.getTokenStart();
}

/** The name the SDK gives it at run time: `{ name }` if passed, else the function's own name; else where it is stored. */
function nameFor(call: ts.CallExpression, fn: FunctionNode): string {
  const opts = call.arguments[1];
  if (opts && ts.isObjectLiteralExpression(opts)) {
    for (const p of opts.properties) {
      if (
        ts.isPropertyAssignment(p) &&
        ts.isIdentifier(p.name) &&
        p.name.text === "name" &&
        ts.isStringLiteralLike(p.initializer)
      )
        return p.initializer.text;
    }
  }
  if (fn.name) return fn.name.text;
  const arg = call.arguments[0];
  if (arg && ts.isIdentifier(arg)) return arg.text;
  const parent = call.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return "anonymous";
}
