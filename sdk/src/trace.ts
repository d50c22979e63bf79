/** Builds `trace_context`: the stated purpose, the reasoning steps, the tagged code path and the runtime. */
import type { TaggedFunction } from "./tagging.ts";
import { cutText } from "./text.ts";
import type { TraceContext } from "./wire.ts";

export const SDK_NAME = "@sentineliq/sdk";
export const SDK_VERSION = "0.1.0";

const MAX_STEPS = 100;
const MAX_TEXT = 2000;

export interface TraceInput {
  purpose?: string | undefined;
  /** Steps recorded with `step()` in the current flow, then any passed to `pay()`. */
  steps: readonly string[];
  path: readonly TaggedFunction[];
  /** Fields the caller adds; they win over the SDK's. */
  extra?: Record<string, unknown> | undefined;
}

export function buildTraceContext(input: TraceInput): TraceContext {
  const clip = (s: string) => (s.length > MAX_TEXT ? cutText(s, MAX_TEXT - 1) + "…" : s);
  const steps = input.steps.map(clip);
  const trace: TraceContext = {
    ...(input.purpose !== undefined ? { purpose: clip(input.purpose) } : {}),
    // The most recent steps matter most when there are too many.
    steps: steps.slice(-MAX_STEPS),
    code_path: input.path.map((t) => ({ name: t.name, hash: t.hash })),
    runtime: { sdk: `${SDK_NAME}@${SDK_VERSION}`, node: process.version, platform: process.platform, pid: process.pid },
  };
  return { ...trace, ...(input.extra ?? {}) };
}
