/**
 * The challenge loop over HTTP: a HIGH payment is challenged, answered with a
 * proof of purpose (not enough on its own for HIGH: it asks for a step-up),
 * confirmed by an approver of the organisation, evaluated again by the network
 * and approved; the agent can neither confirm a step-up nor pass with a
 * fragment of its trace; nonces are required and single-use; wrong or late
 * answers are refused, revealing nothing; an unanswered challenge expires as
 * rejected; attempts run out; an approver can decline. Every step is in the
 * log, with who approved, and the log verifies.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { BIN } from "../cli/launcher/processes.ts";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EntryChecker, ValidatorSet } from "../protocol/index.ts";
import { LogStore } from "../coordinator/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

describe("challenges", () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ store: "pglite", challengeTtlMs: 8000 });
  });
  afterAll(async () => {
    await net?.stop();
  });

  const high = () =>
    net.payment({ amount: "25000.00", trace_context: { purpose: "pay invoice INV-7781 for the annual licence" } });
  const records = async (paymentId: string) =>
    (
      await net.db.query<{ entry: Buffer }>("SELECT entry FROM siq_log_entries WHERE payment_id = $1 ORDER BY idx", [
        paymentId,
      ])
    ).map((r) => JSON.parse(r.entry.toString("utf8")) as { type: string; attempt?: number; decision?: string });

  const proof = { purpose: "Annual licence renewal for the analytics seat", reference: "INV-7781" };
  const answer = (ch: { challenge_id: string; nonce: string }, responses: object) => ({
    challenge_id: ch.challenge_id,
    nonce: ch.nonce,
    responses,
  });
  const approve = (challengeId: string, key = net.approverKey, note?: string) =>
    net.request("POST", `/v1/challenges/${challengeId}/approve`, note ? { note } : {}, key);

  it("a HIGH payment's proof of purpose asks for a step-up, which an approver confirms; then it is approved", async () => {
    const first = await net.post(high());
    expect(first.body).toMatchObject({ status: "challenged", risk_level: "HIGH", decision: "challenge" });
    const ch = first.body.challenge;
    expect(ch).toMatchObject({ kind: "proof_of_purpose", requested: ["purpose", "reference"], attempt: 1 });
    expect(Date.parse(ch.expires_at)).toBeGreaterThan(Date.now());
    const id = first.body.payment_id;

    // Wrong ids and nonces are refused, and the refusal names neither the open challenge nor its nonce.
    for (const wrong of [
      { ...answer(ch, proof), challenge_id: "ch_nope" },
      { ...answer(ch, proof), nonce: "0".repeat(32) },
    ]) {
      const r = await net.respond(id, wrong);
      expect(r.status).toBe(409);
      expect(r.body.error_details.code).toBe("CHALLENGE_MISMATCH");
      expect(JSON.stringify(r.body)).not.toContain(ch.challenge_id);
      expect(JSON.stringify(r.body)).not.toContain(ch.nonce);
    }
    const noNonce = await net.respond(id, { challenge_id: ch.challenge_id, responses: proof });
    expect(noNonce.status).toBe(400);

    const second = await net.respond(id, answer(ch, proof));
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ payment_id: id, status: "challenged", risk_level: "HIGH", attempt: 2 });
    const step = second.body.challenge;
    expect(step).toMatchObject({ kind: "step_up", attempt: 2, requested: ["approver_confirmation"] });

    // The same answer again (its nonce is spent) is refused.
    const replay = await net.respond(id, answer(ch, proof));
    expect(replay.status).toBe(409);
    expect(replay.body.error_details.code).toBe("CHALLENGE_MISMATCH");

    const approved = await approve(step.challenge_id, net.approverKey, "called the CFO");
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ payment_id: id, status: "settled", risk_level: "LOW", attempt: 3 });
    expect((await approve(step.challenge_id)).body.error_details.code).toBe("CHALLENGE_NOT_OPEN");

    const log = await records(id);
    expect(log.map((r) => r.type)).toEqual([
      "sentineliq.decision.v1",
      "sentineliq.challenge.v1",
      "sentineliq.challenge_response.v2",
      "sentineliq.decision.v1",
      "sentineliq.challenge.v1",
      "sentineliq.challenge_review.v1",
      "sentineliq.decision.v1",
    ]);
    expect(log[5]).toMatchObject({ decision: "approve", approver: "approver-a", tenant_id: "tenant-a", attempt: 3 });
    expect(log[6]).toMatchObject({ attempt: 3, decision: "approve" });
  });

  it("keeps a payment challenged when the proof is a fragment of the trace's JSON (`{\"`)", async () => {
    const first = await net.post(high());
    const res = await net.respond(first.body.payment_id, answer(first.body.challenge, { ...proof, reference: '{"' }));
    expect(res.body).toMatchObject({ status: "challenged", attempt: 2, challenge: { kind: "proof_of_purpose" } });
  });

  it("never lets the agent confirm its own step-up: 403, and the payment stays challenged", async () => {
    const first = await net.post(high());
    const id = first.body.payment_id;
    const selfConfirmed = answer(first.body.challenge, { ...proof, confirmed: true, confirmed_by: "the agent" });
    const refused = await net.respond(id, selfConfirmed);
    expect(refused.status).toBe(403);
    expect(refused.body.error_details.code).toBe("STEP_UP_NOT_BY_AGENT");
    const step = (await net.respond(id, answer(first.body.challenge, proof))).body.challenge;
    expect(step.kind).toBe("step_up");
    const again = await net.respond(id, answer(step, { confirmed: true, confirmed_by: "the agent" }));
    expect(again.status).toBe(403);
    // The agent's key on the approver's route: 403 too.
    expect((await approve(step.challenge_id, net.apiKey)).status).toBe(403);
    // Another organisation's approver does not see it.
    expect((await approve(step.challenge_id, net.approverKey + "-b")).status).toBe(404);
    expect((await net.get(`/v1/payments/${id}`)).body).toMatchObject({ status: "challenged", attempt: 2 });
  });

  it("rejects a payment an approver declines, and logs who declined", async () => {
    const first = await net.post(high());
    const ch = first.body.challenge;
    const res = await net.request(
      "POST",
      `/v1/challenges/${ch.challenge_id}/decline`,
      { note: "not ours" },
      net.approverKey,
    );
    expect(res.body).toMatchObject({
      status: "rejected",
      decision: "reject",
      error_details: { code: "CHALLENGE_DECLINED" },
    });
    expect((await net.respond(first.body.payment_id, answer(ch, proof))).status).toBe(409);
    const log = await records(first.body.payment_id);
    expect(log.at(-1)).toMatchObject({
      type: "sentineliq.challenge_review.v1",
      decision: "decline",
      approver: "approver-a",
    });
  });

  it("keeps challenging an answer its own reasoning does not back, and rejects when attempts run out", async () => {
    let res = await net.post(high());
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(res.body).toMatchObject({ status: "challenged" });
      res = await net.respond(
        res.body.payment_id,
        answer(res.body.challenge, { purpose: "Something made up afterwards", reference: "INV-0000" }),
      );
    }
    expect(res.body).toMatchObject({ status: "rejected", decision: "reject", attempt: 3 });
    expect(res.body.error_details.code).toBe("CHALLENGE_ATTEMPTS_EXHAUSTED");
  });

  it("rejects a payment whose challenge expires unanswered, and refuses the late answer", async () => {
    const first = await net.post(high());
    expect(first.body.status).toBe("challenged");
    // The challenge lives 8 s (long enough for a CLI start on a loaded machine in the test above).
    const shown = await vi.waitFor(
      async () => {
        const r = await net.get(`/v1/payments/${first.body.payment_id}`);
        expect(r.body).toMatchObject({ status: "rejected" });
        return r;
      },
      { timeout: 20_000, interval: 250 },
    );
    expect(shown.body.error_details.code).toBe("CHALLENGE_EXPIRED");
    const late = await net.respond(first.body.payment_id, answer(first.body.challenge, proof));
    expect(late.status).toBe(409);
    expect((await records(first.body.payment_id)).map((r) => r.type)).toContain("sentineliq.challenge_expired.v2");
  });

  it("can be answered and approved from the command line: sentineliq respond, sentineliq challenges approve", async () => {
    const first = await net.post(high());
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, [BIN, ...args, "--url", net.url]);
    const { stdout } = await cli(
      "respond",
      first.body.payment_id,
      "--purpose",
      "Annual licence renewal",
      "--reference",
      "INV-7781",
      "--api-key",
      net.apiKey,
    );
    expect(stdout).toContain("answering proof_of_purpose");
    expect(stdout).toMatch(/challenged {2}risk HIGH {2}decision challenge {2}attempt 2/);
    const step = (await net.get(`/v1/payments/${first.body.payment_id}`)).body.challenge;
    expect(stdout).toContain(`sentineliq challenges approve ${step.challenge_id}`);
    const approved = await cli("challenges", "approve", step.challenge_id, "--approver-key", net.approverKey);
    expect(approved.stdout).toMatch(/✓ .* settled {2}risk LOW {2}decision approve {2}attempt 3/);
  });

  it("answers 404 for another tenant's payment", async () => {
    const first = await net.post(high());
    const res = await net.respond(first.body.payment_id, answer(first.body.challenge, {}), net.apiKey + "-b");
    expect(res.status).toBe(404);
  });

  it("leaves a log that verifies, challenge records included", async () => {
    const set = ValidatorSet.parse(JSON.parse(readFileSync(join(net.dir, "network.json"), "utf8")));
    const checker = new EntryChecker(set);
    let checked = 0;
    for await (const row of new LogStore(net.db).all()) {
      const r = checker.check(row.entry);
      expect(r).toMatchObject({ ok: true, checked: true });
      checked++;
    }
    expect(checked).toBeGreaterThan(8);
  });
});
