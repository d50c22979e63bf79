import { describe, expect, it } from "vitest";
import { compilePack, loadPackFiles, type Facts } from "../../rules/index.ts";
import { ValidatorState } from "./state.ts";

const velocityPack = (v: string) =>
  compilePack(loadPackFiles([{ path: "p.yaml", text: `velocity:\n${v}\nrules: []\n` }]));
const fails = velocityPack(
  "  fails: { where: { field: kind, eq: login_failure }, per: subject, window: 1m, count: true }",
);
const login = (id: string, time: number, subject = "u1", tenant = "t"): Facts => ({
  kind: "login_failure",
  id,
  time,
  subject,
  tenant_id: tenant,
});
const payment = (id: string, time: number, o: Record<string, unknown> = {}): Facts => ({
  kind: "payment",
  id,
  time,
  tenant_id: "t",
  subject: "agent",
  sender: "s",
  receiver: "r",
  amount: 10,
  hour: 12,
  ...o,
});

describe("validator state", () => {
  it("counts each observation once, however often it is redelivered", () => {
    const s = new ValidatorState();
    for (let i = 0; i < 3; i++) s.enrich(login("e1", 1000), [fails.velocity]);
    const [v] = s.enrich(login("e2", 2000), [fails.velocity]);
    expect(v).toEqual({ fails: 2 });
  });

  it("keeps tenants apart", () => {
    const s = new ValidatorState();
    s.enrich(login("e1", 1000, "u1", "a"), [fails.velocity]);
    const [v] = s.enrich(login("e2", 1000, "u1", "b"), [fails.velocity]);
    expect(v).toEqual({ fails: 1 });
  });

  it("back-fills a velocity definition a new pack brings from the recent observations", () => {
    const s = new ValidatorState();
    s.enrich(login("e1", 1000), [[]]);
    s.enrich(login("e2", 2000), [[]]);
    const [v] = s.enrich(login("e3", 3000), [fails.velocity]);
    expect(v).toEqual({ fails: 3 });
  });

  it("describes a payment against the agent's history before it", () => {
    const s = new ValidatorState();
    for (let i = 0; i < 6; i++) s.enrich(payment(`p${i}`, i * 1000, { amount: 10 + i }), [[]]);
    const big = payment("big", 10_000, { amount: 500, receiver: "new" });
    s.enrich(big, [[]]);
    expect(big.baseline).toMatchObject({ payments: 6, new_receiver: true });
    expect((big.baseline as { amount_z: number }).amount_z).toBeGreaterThan(50);
    expect(big.agent).toMatchObject({ payments: 6, tier: "new" });
    const again = payment("again", 11_000, { receiver: "r" });
    s.enrich(again, [[]]);
    expect(again.baseline).toMatchObject({ new_receiver: false, payments: 7 });
  });

  it("measures travel between consecutive places", () => {
    const s = new ValidatorState();
    s.enrich({ ...login("a", 0), geo: { lat: 52.52, lon: 13.4 } }, [[]]);
    const second: Facts = { ...login("b", 3_600_000), geo: { lat: 48.86, lon: 2.35 } };
    s.enrich(second, [[]]);
    expect(second.travel).toMatchObject({ hours: 1 });
    expect((second.travel as { distance_km: number }).distance_km).toBeGreaterThan(850);
    expect((second.travel as { distance_km: number }).distance_km).toBeLessThan(900);
  });

  it("finds the cycle a payment closes, in time order only", () => {
    const s = new ValidatorState();
    s.enrich(payment("1", 1000, { sender: "A", receiver: "B" }), [[]]);
    s.enrich(payment("2", 2000, { sender: "B", receiver: "C" }), [[]]);
    const closing = payment("3", 3000, { sender: "C", receiver: "A" });
    s.enrich(closing, [[]]);
    expect(closing.graph).toEqual({ cycle_length: 3, cycle_path: ["A", "B", "C"] });

    const t = new ValidatorState();
    t.enrich(payment("1", 2000, { sender: "B", receiver: "C" }), [[]]); // B→C before A→B: no flow
    t.enrich(payment("2", 3000, { sender: "A", receiver: "B" }), [[]]);
    const none = payment("3", 4000, { sender: "C", receiver: "A" });
    t.enrich(none, [[]]);
    expect(none.graph).toMatchObject({ cycle_length: 0 });
  });
});
