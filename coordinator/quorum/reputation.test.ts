/** README claims about reputation: latency is only reported; agreement moves weights; weights never flip a decision. */
import { describe, expect, it } from "vitest";
import { createLogger } from "../../lib/logger.ts";
import { ValidatorSet, type QuorumResult, type SignedVerdict } from "../../protocol/index.ts";
import type { Observed } from "./aggregator.ts";
import { Reputation } from "./reputation.ts";

const set = ValidatorSet.parse({
  validators: ["v1", "v2", "v3", "v4"].map((id, i) => ({ id, public_key: String(i).repeat(64) })),
});
const verdict = (id: string) =>
  ({ verdict: { validator_id: id, risk_level: "LOW", reasons: [] } }) as unknown as SignedVerdict;
const result = (dissent: string[]) => ({ dissent }) as unknown as QuorumResult;
const observed = (latencies: Record<string, number>): Observed => ({
  verdicts: ["v1", "v2", "v3", "v4"].map(verdict),
  absent: [],
  rejected: [],
  equivocations: [],
  excludedVerdicts: [],
  latencies: new Map(Object.entries(latencies)),
});

describe("reputation", () => {
  it("latency does not move a weight; disagreement does", () => {
    const r = new Reputation(set, null, createLogger("test", "silent"));
    for (let i = 0; i < 400; i++) r.record(result(["v4"]), observed({ v1: 1, v2: 1, v3: 4000, v4: 1 }));
    const w = r.weights();
    expect(w.v3).toBe(w.v1);
    expect(w.v4).toBeLessThan(w.v1!);
  });
});
