/** Rule errors, always with the file, line and column the author has to look at. */
import { isMap, isSeq, type Document, type LineCounter, type Node, type YAMLError } from "yaml";
import type { z } from "zod";

export class RuleError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly detail: string;
  constructor(file: string, line: number, column: number, message: string) {
    super(`${file}:${line}:${column}: ${message}`);
    this.name = "RuleError";
    this.file = file;
    this.line = line;
    this.column = column;
    this.detail = message;
  }
}

type Path = (string | number)[];

/** Points into one parsed file: `at(path, msg)` makes an error at that node; `at.sub(path)` narrows. */
export interface Locator {
  (path: Path, message: string): RuleError;
  (path: Path): { line: number; column: number };
  file: string;
  sub(path: Path): Locator;
}

export function locator(file: string, doc: Document, lines: LineCounter, base: Path = []): Locator {
  const position = (path: Path) => {
    const node = nodeAt(doc.contents, [...base, ...path]);
    const pos = lines.linePos(node?.range?.[0] ?? 0);
    return { line: pos.line, column: pos.col };
  };
  const at = ((path: Path, message?: string) => {
    const p = position(path);
    return message === undefined ? p : new RuleError(file, p.line, p.column, message);
  }) as Locator;
  at.file = file;
  at.sub = (path: Path) => locator(file, doc, lines, [...base, ...path]);
  return at;
}

export function yamlError(file: string, lines: LineCounter, err: YAMLError): RuleError {
  const pos = lines.linePos(err.pos[0]);
  return new RuleError(file, pos.line, pos.col, err.message.split("\n")[0] ?? "invalid YAML");
}

export function zodError(at: Locator, error: z.ZodError): RuleError {
  // In a union, the most specific issue is the one with the longest path.
  const issues = error.issues.flatMap((i) => flatten(i));
  const issue = issues.sort((a, b) => b.path.length - a.path.length)[0]!;
  return at(issue.path, `${issue.path.join(".") || "(root)"}: ${issue.message}`);
}

function flatten(issue: z.core.$ZodIssue, prefix: PropertyKey[] = []): { path: Path; message: string }[] {
  const path = [...prefix, ...issue.path] as Path;
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    return issue.errors.flatMap((branch) => branch.flatMap((i) => flatten(i, path)));
  }
  return [{ path, message: issue.message }];
}

/** The deepest YAML node along `path`, for error positions. */
function nodeAt(node: Node | null, path: Path): Node | null {
  let current = node;
  for (const key of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => (p.key as { value?: unknown })?.value === key);
      if (!pair) return current;
      current = (pair.value as Node) ?? (pair.key as Node);
    } else if (isSeq(current) && typeof key === "number") {
      const next = current.items[key] as Node | undefined;
      if (!next) return current;
      current = next;
    } else return current;
  }
  return current;
}
