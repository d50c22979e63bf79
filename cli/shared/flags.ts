/**
 * Command-line flags: commander reads them, and each command parses what it
 * read with its own zod schema, the one place untyped option values become typed.
 */
import { InvalidArgumentError } from "commander";
import { z } from "zod";

/** A commander parser for a whole number (0 and up), named in its error. */
export const wholeNumber =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n))
      throw new InvalidArgumentError(`${name} must be a whole number`);
    return n;
  };

/** A commander parser for a repeatable flag: every value, in order. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Parses a command's options (and positional values) with its schema; the first problem is a UsageError. */
export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const key = issue.path[0];
  const flag = typeof key === "string" ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ` : "";
  throw new UsageError(`${flag}${issue.message}`);
}

/** Zod pieces the commands' schemas share. */
export const f = {
  text: z.string().min(1).optional(),
  on: z.boolean().optional(),
  list: z.array(z.string().min(1)).optional(),
  count: z.number().int().min(0),
  /** --url and --api-key: where the network is and the agent key to use. */
  target: { url: z.string().min(1).optional(), apiKey: z.string().min(1).optional() },
} as const;
