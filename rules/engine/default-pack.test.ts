import { describe, expect, it } from "vitest";
import { loadPack, loadPackFiles, paymentFacts, compilePack, RuleError } from "../index.ts";
import type { PaymentRequest } from "../../protocol/index.ts";

const base: PaymentRequest = {
  idempotency_key: "k",
  agent_id: "a",
  sender: "11111111111111111111111111111111",
  receiver: "SysvarC1ock11111111111111111111111111111111",
  amount: "12.50",
  currency: "USDC",
  debug_mode: true,
  trace_context: { purpose: "pay invoice 7781" },
  func_stack_hashes: ["e57eb157d61a56f8d32a82fa47d04e96e531734430c80f6cb6b38d49137429f0"],
  metadata: { country_code: "DE" },
};

describe("the default pack", () => {
  const pack = loadPack();
  const judge = (p: Partial<PaymentRequest>) => pack.evaluate(paymentFacts({ ...base, ...p }));

  it("decides a clean payment LOW", () => expect(judge({}).risk_level).toBe("LOW"));
  it("blocks a sanctioned country as CRITICAL", () => {
    const r = judge({ metadata: { country_code: "IR" } });
    expect(r.risk_level).toBe("CRITICAL");
    expect(r.reasons[0]!.code).toBe("SANCTIONED_COUNTRY");
  });
  it("raises an amount over the limit to HIGH", () => expect(judge({ amount: "10000.01" }).risk_level).toBe("HIGH"));
  it("keeps an amount at the limit LOW", () => expect(judge({ amount: "10000" }).risk_level).toBe("LOW"));
  it("raises an unaudited code path to MEDIUM", () =>
    expect(judge({ func_stack_hashes: ["0".repeat(64)] }).risk_level).toBe("MEDIUM"));
  it("has a stable content hash", () => expect(loadPack().hash).toBe(pack.hash));
});

describe("the YAML language", () => {
  it("points at file, line and column of a bad rule", () => {
    const text =
      'rules:\n  - id: r1\n    when: { field: amount, gt: "ten" }\n    then: { score: 5 }\n    reason: { code: R1, message: m }\n';
    try {
      loadPackFiles([{ path: "bad.yaml", text }]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RuleError);
      expect((e as RuleError).file).toBe("bad.yaml");
      expect((e as RuleError).line).toBe(3);
    }
  });

  it("rejects malformed YAML with its position", () => {
    expect(() => loadPackFiles([{ path: "x.yaml", text: "rules: [\n  {id: r1\n" }])).toThrow(/^x\.yaml:\d+:\d+/);
  });

  it("reads live lists as well as the pack's own", () => {
    const text =
      "lists: { ok: [a] }\nrules:\n  - id: r1\n    when: { field: tag, not_in: $ok }\n    then: { block: true }\n    reason: { code: R1, message: m }\n";
    const live = new Set<unknown>();
    const pack = compilePack(loadPackFiles([{ path: "p.yaml", text }]), {
      get: (n) => (n === "ok" ? live : undefined),
    });
    expect(pack.evaluate({ tag: "b" }).risk_level).toBe("CRITICAL");
    live.add("b");
    expect(pack.evaluate({ tag: "b" }).risk_level).toBe("LOW");
  });
});
