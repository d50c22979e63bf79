/**
 * Fault drills: with v4 misbehaving in each way, every decision is the one
 * four honest validators reach, and the misbehaviour is on record in the log
 * entry and in /metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentRequest, QuorumDecision } from "../protocol/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

const cases: { name: string; body: Partial<PaymentRequest>; decision: string; level: string }[] = [
  { name: "low", body: {}, decision: "approve", level: "LOW" },
  { name: "high", body: { amount: "25000.00" }, decision: "challenge", level: "HIGH" },
  { name: "unaudited", body: { func_stack_hashes: ["cd".repeat(32)] }, decision: "challenge", level: "MEDIUM" },
  { name: "sanctioned", body: { metadata: { country_code: "KP" } }, decision: "reject", level: "CRITICAL" },
];

type Check = (
  entries: QuorumDecision[],
  metrics: string,
  records: { type: string; payment_id: string; validator_id?: string }[],
) => void;

const drills: [string, Check][] = [
  [
    "silent",
    (entries, metrics) => {
      for (const e of entries) expect(e.absent).toContain("v4");
      expect(metrics).toMatch(/siq_validator_absent_total\{validator="v4"\} [1-9]/);
    },
  ],
  [
    "slow",
    (entries, metrics) => {
      for (const e of entries) expect(e.absent).toContain("v4");
      expect(metrics).toMatch(/siq_validator_absent_total\{validator="v4"\} [1-9]/);
    },
  ],
  [
    "approve-all",
    (entries, metrics) => {
      const risky = entries.filter((e) => e.decision !== "approve");
      for (const e of risky) expect(e.dissent).toContain("v4");
      expect(metrics).toMatch(/siq_validator_verdicts_total\{validator="v4",agreed="no",level="LOW"\} [1-9]/);
    },
  ],
  [
    "forge",
    (entries, metrics) => {
      for (const e of entries) expect(e.rejected).toContainEqual({ validator_id: "v4", code: "BAD_SIGNATURE" });
      expect(metrics).toMatch(/siq_verdicts_total\{validator="v4",result="BAD_SIGNATURE"\} [1-9]/);
    },
  ],
  [
    "replay",
    (entries, metrics) => {
      for (const e of entries.slice(1)) expect(e.absent).toContain("v4");
      expect(metrics).toMatch(/siq_verdicts_total\{validator="v4",result="REPLAYED"\} [1-9]/);
    },
  ],
  [
    "equivocate",
    (entries, metrics, records) => {
      // Caught before the decision (both in the entry, neither counted) or after it (a record of its own).
      for (const e of entries) {
        const inEntry = e.equivocations.some((x) => x.validator_id === "v4");
        const after = records.some(
          (r) => r.type === "sentineliq.equivocation.v1" && r.payment_id === e.payment_id && r.validator_id === "v4",
        );
        expect(inEntry || after, e.payment_id).toBe(true);
        if (inEntry) expect(e.verdicts.map((v) => v.verdict.validator_id)).not.toContain("v4");
      }
      expect(metrics).toMatch(/siq_validator_flagged\{validator="v4"\} 1/);
      expect(metrics).toMatch(/siq_validator_excluded\{validator="v4"\} 1/);
    },
  ],
];

describe.each(drills)("fault drill: v4 %s", (mode, check) => {
  let net: TestNetwork;
  beforeAll(async () => {
    // An equivocator is excluded on its first equivocation; n = 4 cannot lose one validator and still tolerate
    // f = 1 (it would fail closed, test/byzantine.e2e.test.ts), so that drill runs four honest validators beside v4.
    const validators = mode === "equivocate" ? 5 : 4;
    net = await startNetwork({ store: "pglite", validators, faulty: { v4: mode }, deadlineMs: 2000 });
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("reaches the honest decisions and leaves the misbehaviour on record", async () => {
    const ids: string[] = [];
    for (const c of cases) {
      const res = await net.post(net.payment(c.body));
      expect(res.status).toBe(200);
      expect({ case: c.name, decision: res.body.decision, level: res.body.risk_level }).toEqual({
        case: c.name,
        decision: c.decision,
        level: c.level,
      });
      ids.push(res.body.payment_id);
    }
    // Evidence caught after a decision is logged on its own, a moment later: look again for a while.
    for (let tries = 0; ; tries++) {
      const rows = await net.db.query<{ entry: Buffer; payment_id: string }>(
        "SELECT entry, payment_id FROM siq_log_entries ORDER BY idx",
      );
      const all = rows.map((r) => JSON.parse(r.entry.toString("utf8")));
      const entries = ids.map(
        (id) => all.find((r) => r.payment_id === id && r.type === "sentineliq.decision.v1") as QuorumDecision,
      );
      const metrics = await (await fetch(`${net.url}/metrics`)).text();
      try {
        check(entries, metrics, all);
        return;
      } catch (e) {
        if (tries >= 20) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  });
});
