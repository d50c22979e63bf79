/**
 * The SDK's client against a real network: the payment carries its call path
 * and trace, lost answers and 503s are retried under the same idempotency key
 * (one payment, never two), and every refusal is a typed error.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuthenticationError,
  createAuditorClient,
  createClient,
  IdempotencyConflictError,
  InvalidRequestError,
  NetworkError,
  NotFoundError,
  PaymentChallengedError,
  PaymentRejectedError,
  PermissionDeniedError,
  paymentFunction,
  step,
  tagOf,
  type Client,
  type PayInput,
} from "../sdk/src/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

/** A proxy in front of the coordinator that can lose an answer or refuse a request, to exercise retries for real. */
function faultyProxy(
  target: string,
): Promise<{ url: string; faults: ("lose-answer" | "503")[]; seen: number; close(): Promise<void> }> {
  const state = { faults: [] as ("lose-answer" | "503")[], seen: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      state.seen++;
      const fault = req.method === "POST" ? state.faults.shift() : undefined;
      if (fault === "503") {
        res.writeHead(503, { "content-type": "application/json", "retry-after": "0" });
        res.end(
          JSON.stringify({
            statusCode: 503,
            error: "Service Unavailable",
            code: "BUS_UNAVAILABLE",
            message: "try again",
            error_details: { code: "BUS_UNAVAILABLE", message: "try again" },
          }),
        );
        return;
      }
      const up = httpRequest(target + req.url, { method: req.method, headers: req.headers }, (answer) => {
        const body: Buffer[] = [];
        answer.on("data", (c: Buffer) => body.push(c));
        answer.on("end", () => {
          if (fault === "lose-answer") return req.socket.destroy(); // processed upstream, answer lost on the way back
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(body));
        });
      });
      up.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      const port = typeof a === "object" && a ? a.port : 0;
      resolve({
        url: `http://127.0.0.1:${port}`,
        get faults() {
          return state.faults;
        },
        get seen() {
          return state.seen;
        },
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    }),
  );
}

describe("SDK client against a real network", () => {
  let net: TestNetwork;
  let client: Client;
  let base: Omit<PayInput, "amount">;
  const checkout = paymentFunction(async function checkout(c: Client, input: PayInput) {
    step("compared three offers");
    return settle(c, input);
  });
  const settle = paymentFunction(async function settle(c: Client, input: PayInput) {
    step("paying the cheapest");
    return c.pay(input);
  });

  beforeAll(async () => {
    net = await startNetwork({ store: "pglite" });
    client = createClient({ baseUrl: net.url, apiKey: net.apiKey, agentId: "sdk-agent", backoffMs: 20 });
    const p = net.payment();
    base = {
      sender: p.sender,
      receiver: p.receiver,
      currency: "USDC",
      debug_mode: true,
      purpose: "buy a dataset",
      metadata: { country_code: "DE" },
    };
    await client.codeSubmitted;
    const auditor = createAuditorClient({ baseUrl: net.url, apiKey: net.auditorKey });
    for (const fn of [checkout, settle]) await auditor.approve(tagOf(fn)!.hash);
  });
  afterAll(async () => {
    client?.close();
    await net?.stop();
  });

  const stored = async (paymentId: string) =>
    (await net.db.query<{ request: any }>("SELECT request FROM siq_payments WHERE payment_id = $1", [paymentId]))[0]!
      .request;

  it("submitted the tagged functions at start-up, and sends the call path and the trace with the payment", async () => {
    const listed = await client.audit.list();
    expect(listed.records.map((r) => r.code_hash)).toEqual(
      expect.arrayContaining([tagOf(checkout)!.hash, tagOf(settle)!.hash]),
    );
    const p = await checkout(client, { ...base, amount: "12.50" });
    expect(p).toMatchObject({ status: "settled", risk_level: "LOW" });
    const req = await stored(p.payment_id);
    expect(req.func_stack_hashes).toEqual([tagOf(checkout)!.hash, tagOf(settle)!.hash]);
    expect(req.trace_context).toMatchObject({
      purpose: "buy a dataset",
      steps: ["compared three offers", "paying the cheapest"],
      code_path: [
        { name: "checkout", hash: tagOf(checkout)!.hash },
        { name: "settle", hash: tagOf(settle)!.hash },
      ],
      runtime: { sdk: expect.stringMatching(/^@sentineliq\/sdk@/), node: process.version },
    });
    expect(req.agent_id).toBe("sdk-agent");
  });

  it("retries a lost answer and a 503 with the same idempotency key: one payment, not two", async () => {
    const proxy = await faultyProxy(net.url);
    try {
      const flaky = createClient({
        baseUrl: proxy.url,
        apiKey: net.apiKey,
        agentId: "sdk-agent",
        backoffMs: 20,
        submitCode: false,
      });
      proxy.faults.push("lose-answer", "503");
      const p = await checkout(flaky, { ...base, amount: "7.00", idempotency_key: "retry-me-1" });
      expect(p.status).toBe("settled");
      expect(proxy.seen).toBe(3);
      const rows = await net.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM siq_payments WHERE idempotency_key = 'retry-me-1'",
      );
      expect(rows[0]!.n).toBe(1);
      const logged = await net.db.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM siq_log_entries WHERE payment_id = $1",
        [p.payment_id],
      );
      expect(logged[0]!.n).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it("raises decisions that stop a payment as typed errors carrying the payment", async () => {
    const rejected = await checkout(client, { ...base, amount: "5.00", metadata: { country_code: "KP" } }).catch(
      (e: unknown) => e,
    );
    expect(rejected).toBeInstanceOf(PaymentRejectedError);
    expect((rejected as PaymentRejectedError).riskLevel).toBe("CRITICAL");
    expect((rejected as PaymentRejectedError).reasons.map((r) => r.code)).toContain("SANCTIONED_COUNTRY");
    const untagged = await client.pay({ ...base, amount: "5.00" }).catch((e: unknown) => e);
    expect(untagged).toBeInstanceOf(PaymentChallengedError);
    expect((untagged as PaymentChallengedError).payment.reasons.map((r) => r.code)).toContain("NO_CODE_LINEAGE");
  });

  it("answers a real challenge through onChallenge; a HIGH payment then waits for an approver's step-up", async () => {
    const asked: string[] = [];
    const answering = createClient({
      baseUrl: net.url,
      apiKey: net.apiKey,
      agentId: "sdk-agent",
      submitCode: false,
      onChallenge: ({ challenge, round }) => {
        asked.push(`${round}:${challenge.kind}`);
        // A step-up is not the agent's to give: a person of the organisation confirms it out of band.
        if (challenge.kind === "step_up") return null;
        return { purpose: "Annual licence renewal for the analytics seat", reference: "INV-7781" };
      },
    });
    const waiting = await checkout(answering, {
      ...base,
      amount: "25000.00",
      purpose: "pay invoice INV-7781 for the annual licence",
    }).catch((e: unknown) => e);
    expect(waiting).toBeInstanceOf(PaymentChallengedError);
    const stepUp = (waiting as PaymentChallengedError).payment;
    expect(stepUp).toMatchObject({ status: "challenged", attempt: 2, challenge: { kind: "step_up" } });
    expect(asked).toEqual(["1:proof_of_purpose", "2:step_up"]);
    const approved = await net.request(
      "POST",
      `/v1/challenges/${stepUp.challenge!.challenge_id}/approve`,
      {},
      net.approverKey,
    );
    expect(approved.body).toMatchObject({ status: "settled", risk_level: "LOW", attempt: 3 });
    const p = approved.body as { payment_id: string };
    const log = await net.db.query<{ entry: Buffer }>(
      "SELECT entry FROM siq_log_entries WHERE payment_id = $1 ORDER BY idx",
      [p.payment_id],
    );
    expect(log.map((r) => JSON.parse(r.entry.toString()).type)).toContain("sentineliq.challenge_response.v2");

    const declined = await checkout(client, { ...base, amount: "25000.00", purpose: "pay invoice INV-7782" }).catch(
      (e: unknown) => e,
    );
    expect(declined).toBeInstanceOf(PaymentChallengedError);
    expect((declined as PaymentChallengedError).payment.challenge?.kind).toBe("proof_of_purpose");
  });

  it("raises API errors as typed errors with error_details", async () => {
    const bad = await checkout(client, { ...base, amount: "12,50" }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(InvalidRequestError);
    expect((bad as InvalidRequestError).status).toBe(400);
    expect((bad as InvalidRequestError).details.issues?.map((i) => i.path)).toContain("amount");

    const stranger = createClient({ baseUrl: net.url, apiKey: "siq_nobody_00000000000000000", submitCode: false });
    await expect(stranger.pay({ ...base, amount: "1.00" })).rejects.toBeInstanceOf(AuthenticationError);
    const auditorPaying = createClient({ baseUrl: net.url, apiKey: net.auditorKey, submitCode: false });
    await expect(auditorPaying.pay({ ...base, amount: "1.00" })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(client.payment("pay_missing")).rejects.toBeInstanceOf(NotFoundError);

    await checkout(client, { ...base, amount: "3.00", idempotency_key: "same-key" });
    const clash = await checkout(client, { ...base, amount: "4.00", idempotency_key: "same-key" }).catch(
      (e: unknown) => e,
    );
    expect(clash).toBeInstanceOf(IdempotencyConflictError);
    expect((clash as IdempotencyConflictError).code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("gives up with a NetworkError when nothing answers, after its retries", async () => {
    const nowhere = createClient({
      baseUrl: "http://127.0.0.1:9",
      apiKey: net.apiKey,
      maxRetries: 2,
      backoffMs: 5,
      submitCode: false,
    });
    const e = await nowhere.pay({ ...base, amount: "1.00" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(NetworkError);
    expect((e as NetworkError).code).toBe("NETWORK_ERROR");
  });
});
