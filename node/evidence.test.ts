/** Judging a challenge answer: whole-token references only, and no step-up from thin air. */
import { describe, expect, it } from "vitest";
import type { EvaluationTask } from "../protocol/index.ts";
import { satisfiedKinds, tracedReference, traceTokens } from "./evidence.ts";

const trace = { purpose: "pay invoice INV-7781 for the annual licence.", steps: ["read order #A-12", "budget ok"] };
const task = (evidence: Record<string, unknown>): EvaluationTask =>
  ({ payment: { trace_context: trace }, evidence }) as unknown as EvaluationTask;
const purpose = "Annual licence renewal";

describe("proof of purpose", () => {
  it("takes a reference its trace named as a whole token, in any case", () => {
    expect(tracedReference(trace, "INV-7781")).toBe(true);
    expect(tracedReference(trace, "inv-7781")).toBe(true);
    expect(tracedReference(trace, "A-12")).toBe(true);
    expect(satisfiedKinds(task({ purpose, reference: "INV-7781" }))).toEqual(["proof_of_purpose"]);
  });

  it("refuses fragments, JSON punctuation, keys and words without a number", () => {
    for (const ref of ['{"', '"', "in", "INV", "7781", "NV-778", "purpose", "steps", "invoice", "INV-0000", ""])
      expect(tracedReference(trace, ref), ref).toBe(false);
    expect(satisfiedKinds(task({ purpose, reference: '{"' }))).toEqual([]);
    expect(satisfiedKinds(task({ purpose: "short", reference: "INV-7781" }))).toEqual([]);
  });

  it("splits the trace's text into tokens, never its JSON", () => {
    expect([...traceTokens({ a: ['x{"y', { b: "1.5." }] })]).toEqual(["x", "y", "1.5"]);
  });
});

describe("step-up", () => {
  it("is satisfied only by a confirmation with its confirmer (set by the coordinator on an approval)", () => {
    expect(satisfiedKinds(task({ confirmed: true, confirmed_by: "approver-a" }))).toEqual(["step_up"]);
    expect(satisfiedKinds(task({ confirmed: true }))).toEqual([]);
    expect(satisfiedKinds(task({ confirmed: "yes", confirmed_by: "x" }))).toEqual([]);
  });
});
