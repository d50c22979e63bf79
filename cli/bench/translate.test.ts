import { describe, expect, it } from "vitest";
import { benchRulesEngines } from "./rules.ts";

describe("the bench baselines run the same rules", () => {
  it("json-rules-engine and zen-engine reach our level with our rules on every input, then are timed", async () => {
    const r = await benchRulesEngines({ seconds: 0.2, inputs: 400 });
    expect(r.agree).toBeGreaterThan(10); // non-LOW inputs checked, not just easy ones
    expect(r.ours_per_s).toBeGreaterThan(0);
    expect(r.json_rules_engine_per_s).toBeGreaterThan(0);
    expect(r.zen_engine_per_s).toBeGreaterThan(0);
  }, 60_000);
});
