/**
 * Byzantine validators lose their say, on a running network: a validator
 * caught equivocating is excluded (its verdicts logged, never counted) until
 * an operator reinstates it; with too few trusted validators left the network
 * fails closed and `/ready` says why; `log verify` rebuilds every exclusion.
 * Events pass the payments' collector: a stranger's or a stale verdict is
 * refused and counted.
 */
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  canonicalBytes,
  EntryChecker,
  NoteVerifier,
  eventRef,
  signEventVerdict,
  Signer,
  topology,
  TypeTags,
  ValidatorSet,
  type QuorumDecision,
} from "../protocol/index.ts";
import { contradict } from "./helpers/equivocate.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

const WAIT = { timeout: 30_000, interval: 250 };

async function entries(net: TestNetwork): Promise<{ type: string; bytes: Buffer; json: any }[]> {
  const rows = await net.db.query<{ entry: Buffer }>("SELECT entry FROM siq_log_entries ORDER BY idx");
  return rows.map((r) => {
    const bytes = Buffer.from(r.entry);
    const json = JSON.parse(bytes.toString("utf8"));
    return { type: json.type as string, bytes, json };
  });
}

const decisionOf = async (net: TestNetwork, paymentId: string) =>
  (await entries(net)).filter((e) => e.type === TypeTags.decision && e.json.payment_id === paymentId).at(-1)!
    .json as QuorumDecision;

describe("an equivocating validator (n = 5, f = 1; v5 signs two verdicts for every attempt)", () => {
  let net: TestNetwork;
  const validators = async () => (await net.get("/v1/validators", net.operatorKey)).body;
  const excluded = async () =>
    (await validators()).validators.filter((v: { excluded: boolean }) => v.excluded).map((v: { id: string }) => v.id);

  beforeAll(async () => {
    net = await startNetwork({ store: "pglite", validators: 5, faulty: { v5: "equivocate" }, deadlineMs: 3000 });
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("is excluded on its first equivocation, and its later verdicts do not count", async () => {
    const first = await net.post(net.payment());
    expect(first.body).toMatchObject({ decision: "approve" });
    await vi.waitFor(async () => expect(await excluded()).toEqual(["v5"]), WAIT);
    const list = await validators();
    expect(list.quorum_safe).toBe(true);
    const v5 = list.validators.find((v: { id: string }) => v.id === "v5");
    expect(v5.evidence.verdicts).toHaveLength(2);
    expect(v5.evidence.verdicts[0].verdict.validator_id).toBe("v5");

    for (let i = 0; i < 3; i++) {
      const res = await net.post(net.payment());
      expect(res.body).toMatchObject({ decision: "approve", risk_level: "LOW" });
      const d = await decisionOf(net, res.body.payment_id);
      expect(d.policy).toMatchObject({ excluded: ["v5"], exclusion_epoch: 1 });
      expect(d.verdicts.map((v) => v.verdict.validator_id)).not.toContain("v5");
      expect(d.verdicts).toHaveLength(4);
      // Still logged: set aside in the decision (as an excluded validator's, or as evidence of another
      // equivocation), or, when it came after the decision, in an equivocation record of its own.
      await vi.waitFor(async () => {
        const d2 = await decisionOf(net, res.body.payment_id);
        const inEntry = [...(d2.excluded_verdicts ?? []), ...d2.equivocations.flatMap((q) => q.verdicts)];
        const after = (await entries(net)).filter(
          (e) => e.type === TypeTags.equivocation && e.json.payment_id === res.body.payment_id,
        );
        expect(inEntry.some((v) => v.verdict.validator_id === "v5") || after.length > 0).toBe(true);
      }, WAIT);
    }
    const metrics = await (await fetch(`${net.url}/metrics`)).text();
    expect(metrics).toMatch(/siq_validator_excluded\{validator="v5"\} 1/);
    expect(metrics).toMatch(/siq_quorum_safe 1/);
  });

  it("with a second validator excluded the network fails closed: QUORUM_UNSAFE, and /ready says why", async () => {
    const paid = await net.post(net.payment());
    await contradict(net, "v4", paid.body.payment_id);
    await vi.waitFor(async () => expect(await excluded()).toEqual(["v4", "v5"]), WAIT);
    const ready = await net.get("/ready");
    expect(ready.status).toBe(503);
    expect(ready.body.reason).toMatch(/^QUORUM_UNSAFE/);
    expect(ready.body.excluded).toEqual(["v4", "v5"]);
    const refused = await net.post(net.payment());
    expect(refused.status).toBe(200);
    expect(refused.body).toMatchObject({ status: "rejected", decision: "reject" });
    expect(refused.body.error_details).toMatchObject({ code: "QUORUM_UNSAFE", reasons: ["VALIDATORS_EXCLUDED"] });
    expect(await decisionOf(net, refused.body.payment_id)).toMatchObject({ outcome: "unsafe" });
  });

  it("only an operator reinstates; a reinstated validator counts again", async () => {
    const asAgent = await net.request("POST", "/v1/validators/v4/reinstate", {});
    expect(asAgent.status).toBe(403);
    const again = await net.request("POST", "/v1/validators/v3/reinstate", {}, net.operatorKey);
    expect(again.status).toBe(409);
    const ok = await net.request("POST", "/v1/validators/v4/reinstate", { reason: "drill" }, net.operatorKey);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ quorum_safe: true, epoch: 3 });
    await vi.waitFor(async () => expect((await net.get("/ready")).status).toBe(200), WAIT);
    const res = await net.post(net.payment());
    expect(res.body).toMatchObject({ decision: "approve" });
    const d = await decisionOf(net, res.body.payment_id);
    expect(d.policy).toMatchObject({ excluded: ["v5"], exclusion_epoch: 3 });
    expect(d.verdicts.map((v) => v.verdict.validator_id)).toContain("v4");
  });

  it("log verify rebuilds every exclusion and reinstatement, and catches an excluded verdict counted", async () => {
    const all = await entries(net);
    const checker = new EntryChecker(ValidatorSet.parse(net.validatorSet), NoteVerifier.fromVkey(net.vkey).publicKey);
    for (const e of all) expect(checker.check(e.bytes), e.type).toMatchObject({ ok: true });
    expect(all.filter((e) => e.type === TypeTags.validator_status).map((e) => e.json.action)).toEqual([
      "exclude",
      "exclude",
      "reinstate",
    ]);
    // The reinstatement is on the audit trail too, naming the operator (an entry of no organisation).
    expect(all.filter((e) => e.type === TypeTags.admin).map((e) => e.json)).toEqual([
      expect.objectContaining({
        action: "validator.reinstated",
        actor: { kind: "operator", id: "operator-1", org: null },
        target: { kind: "validator", id: "v4" },
        org: null,
      }),
    ]);
    // The last decision again, with one of v5's set-aside verdicts (excluded, or evidence of equivocation)
    // moved among the counted ones.
    const last = all.filter((e) => e.type === TypeTags.decision).at(-1)!.json as QuorumDecision;
    const stray = [...(last.excluded_verdicts ?? []), ...last.equivocations.map((q) => q.verdicts[0])];
    expect(stray.map((v) => v.verdict.validator_id)).toContain("v5");
    const forged: QuorumDecision = {
      ...last,
      verdicts: [...last.verdicts, stray[0]!],
      excluded_verdicts: [],
      equivocations: [],
    };
    expect(checker.check(canonicalBytes(forged))).toMatchObject({ ok: false, code: "EXCLUDED_COUNTED" });
  });
});

describe("events pass the payments' collector", () => {
  let net: TestNetwork;
  beforeAll(async () => {
    // Two of four validators running: an event waits for its deadline, time to put hostile verdicts in.
    net = await startNetwork({ store: "pglite", running: 2, deadlineMs: 6000 });
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("refuses a stranger's verdict and a stale one, and counts both in siq_event_verdicts_total", async () => {
    const eventId = `ev-${Date.now()}`;
    const answer = net.request("POST", "/v1/events", {
      event_id: eventId,
      kind: "login_success",
      user_id: "u-1",
      ip: "203.0.113.7",
    });
    const ref = eventRef("tenant-a", eventId);
    let digest = "";
    await vi.waitFor(async () => {
      const rows = await net.db.query<{ event_digest: string }>(
        "SELECT event_digest FROM siq_events WHERE event_ref = $1",
        [ref],
      );
      expect(rows[0]).toBeDefined();
      digest = rows[0]!.event_digest;
    }, WAIT);
    const t = topology(net.namespace).subjects;
    const body = (id: string, at: string) => ({
      type: TypeTags.event_verdict,
      event_ref: ref,
      event_digest: digest,
      validator_id: id,
      risk_level: "LOW" as const,
      score: 0,
      reasons: [],
      rule_pack: "b".repeat(64),
      evaluated_at: at,
    });
    const stranger = signEventVerdict(Signer.generate().signer, body("v9", new Date().toISOString()));
    const stale = signEventVerdict(
      net.keys.get("v3")!.signer,
      body("v3", new Date(Date.now() - 3_600_000).toISOString()),
    );
    const nc = await connect({ servers: net.natsUrl });
    try {
      const js = jetstream(nc);
      await js.publish(t.eventVerdict("v9"), JSON.stringify(stranger));
      await js.publish(t.eventVerdict("v3"), JSON.stringify(stale));
    } finally {
      await nc.close();
    }
    await vi.waitFor(async () => {
      const metrics = await (await fetch(`${net.url}/metrics`)).text();
      expect(metrics).toMatch(/siq_event_verdicts_total\{validator="v9",result="UNKNOWN_VALIDATOR"\} 1/);
      expect(metrics).toMatch(/siq_event_verdicts_total\{validator="v3",result="STALE"\} 1/);
    }, WAIT);
    const decided = await answer;
    expect(decided.status).toBe(200);
    const logged = (await entries(net)).find((e) => e.type === TypeTags.event && e.json.event_ref === ref)!.json;
    expect(logged.verdicts.map((v: { verdict: { validator_id: string } }) => v.verdict.validator_id)).toEqual([
      "v1",
      "v2",
    ]);
  });
});
