/**
 * Tagging payment functions. `paymentFunction(fn)` hashes `fn`'s own source
 * (as the runtime holds it) once, registers it for audit, and returns a
 * wrapper that pushes the function onto the current call path, kept in an
 * AsyncLocalStorage so it follows every `await`. A payment made anywhere
 * below carries the hashes of the tagged functions that led to it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { hashFunctionSource } from "./normalise.ts";

export interface TaggedFunction {
  /** The name given, or the function's own name. */
  readonly name: string;
  /** SHA-256 of the normalised source (64 hex). */
  readonly hash: string;
  /** The normalised source: what an auditor reviews. */
  readonly normalised: string;
}

interface Flow {
  readonly path: readonly TaggedFunction[];
  /** Shared by every tagged call under the outermost one: the reasoning so far. */
  readonly steps: string[];
}

const flows = new AsyncLocalStorage<Flow>();
const tagged: TaggedFunction[] = [];
const tagsByWrapper = new WeakMap<object, TaggedFunction>();
const listeners = new Set<(t: TaggedFunction) => void>();

/** At most this many hashes travel with a payment (the API's limit). */
export const MAX_LINEAGE = 64;

/** Any function at all (parameters are contravariant, so `never` admits every shape). */
type AnyFunction = (...args: never[]) => unknown;

/**
 * Tags `fn` as a payment function. Throws a SourceError at once when `fn`
 * has no auditable source (a native or bound function).
 */
export function paymentFunction<F extends AnyFunction>(fn: F, opts: { name?: string } = {}): F {
  if (typeof fn !== "function") throw new TypeError("paymentFunction expects a function");
  const { hash, normalised } = hashFunctionSource(Function.prototype.toString.call(fn));
  const tag: TaggedFunction = Object.freeze({ name: opts.name ?? (fn.name || "anonymous"), hash, normalised });
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    const parent = flows.getStore();
    const flow: Flow = { path: [...(parent?.path ?? []), tag], steps: parent?.steps ?? [] };
    return flows.run(flow, (): unknown => Reflect.apply(fn, this, args));
  };
  Object.defineProperty(wrapped, "name", { value: fn.name });
  Object.defineProperty(wrapped, "length", { value: fn.length });
  tagged.push(tag);
  tagsByWrapper.set(wrapped, tag);
  for (const l of listeners) l(tag);
  return wrapped as unknown as F;
}

/** The tag of a function returned by `paymentFunction` (its name, hash and normalised source). */
export function tagOf(fn: unknown): TaggedFunction | undefined {
  return typeof fn === "function" ? tagsByWrapper.get(fn) : undefined;
}

/** Every function tagged so far in this process. */
export function taggedFunctions(): readonly TaggedFunction[] {
  return [...tagged];
}

/** Calls `listener` for each function tagged from now on; returns the unsubscribe. */
export function onTagged(listener: (t: TaggedFunction) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The tagged functions on the current call path, outermost first. */
export function currentPath(): readonly TaggedFunction[] {
  return flows.getStore()?.path ?? [];
}

/** The hashes to send as `func_stack_hashes`: the path without repeats, the innermost 64 at most. */
export function lineage(path: readonly TaggedFunction[] = currentPath()): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of path) {
    if (seen.has(t.hash)) continue;
    seen.add(t.hash);
    out.push(t.hash);
  }
  return out.slice(-MAX_LINEAGE);
}

/** Records a reasoning step in the current payment flow; it travels in `trace_context.steps`. */
export function step(message: string): void {
  flows.getStore()?.steps.push(message);
}

/** The steps recorded so far in the current flow. */
export function currentSteps(): readonly string[] {
  return flows.getStore()?.steps ?? [];
}
