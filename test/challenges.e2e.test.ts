/**
 * The challenge loop over HTTP: a HIGH payment is challenged, answered with a
 * proof of purpose, evaluated again by the network and approved; wrong or late
 * answers are refused; an unanswered challenge expires as rejected; attempts
 * run out. Every step is in the log, and the log verifies.
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

  it("challenges a HIGH payment, accepts a proof of purpose and approves it on re-evaluation", async () => {
    const first = await net.post(high());
    expect(first.body).toMatchObject({ status: "challenged", risk_level: "HIGH", decision: "challenge" });
    const ch = first.body.challenge;
    expect(ch).toMatchObject({ kind: "proof_of_purpose", requested: ["purpose", "reference"], attempt: 1 });
    expect(Date.parse(ch.expires_at)).toBeGreaterThan(Date.now());

    const wrong = await net.respond(first.body.payment_id, { challenge_id: "ch_nope", responses: { purpose: "x" } });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error_details.code).toBe("CHALLENGE_MISMATCH");

    const second = await net.respond(first.body.payment_id, {
      challenge_id: ch.challenge_id,
      nonce: ch.nonce,
      responses: { purpose: "Annual licence renewal for the analytics seat", reference: "INV-7781" },
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      payment_id: first.body.payment_id,
      status: "settled",
      risk_level: "LOW",
      decision: "approve",
      attempt: 2,
    });

    const again = await net.respond(first.body.payment_id, {
      challenge_id: ch.challenge_id,
      responses: { purpose: "again" },
    });
    expect(again.status).toBe(409);
    expect(again.body.error_details.code).toBe("CHALLENGE_NOT_OPEN");

    const log = await records(first.body.payment_id);
    expect(log.map((r) => r.type)).toEqual([
      "sentineliq.decision.v1",
      "sentineliq.challenge.v1",
      "sentineliq.challenge_response.v2",
      "sentineliq.decision.v1",
    ]);
    expect(log[3]).toMatchObject({ attempt: 2, decision: "approve" });
  });

  it("keeps challenging an answer its own reasoning does not back, and rejects when attempts run out", async () => {
    let res = await net.post(high());
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(res.body).toMatchObject({ status: "challenged" });
      res = await net.respond(res.body.payment_id, {
        challenge_id: res.body.challenge.challenge_id,
        responses: { purpose: "Something made up afterwards", reference: "INV-0000" },
      });
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
    const late = await net.respond(first.body.payment_id, {
      challenge_id: first.body.challenge.challenge_id,
      responses: { purpose: "Annual licence renewal", reference: "INV-7781" },
    });
    expect(late.status).toBe(409);
    expect((await records(first.body.payment_id)).map((r) => r.type)).toContain("sentineliq.challenge_expired.v2");
  });

  it("can be answered from the command line: sentineliq respond", async () => {
    const first = await net.post(high());
    const { stdout } = await promisify(execFile)(process.execPath, [
      BIN,
      "respond",
      first.body.payment_id,
      "--purpose",
      "Annual licence renewal",
      "--reference",
      "INV-7781",
      "--url",
      net.url,
      "--api-key",
      net.apiKey,
    ]);
    expect(stdout).toContain("answering proof_of_purpose");
    expect(stdout).toMatch(/✓ .* settled {2}risk LOW {2}decision approve {2}attempt 2/);
  });

  it("answers 404 for another tenant's payment", async () => {
    const first = await net.post(high());
    const res = await net.respond(
      first.body.payment_id,
      { challenge_id: first.body.challenge.challenge_id, responses: {} },
      net.apiKey + "-b",
    );
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
