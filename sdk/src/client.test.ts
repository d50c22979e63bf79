/**
 * The challenge loop's edge cases (several rounds, a declined challenge, a
 * decision that stays pending), against a small HTTP server speaking
 * CONTRACT.md's challenge shapes, where each case can be staged exactly. The
 * loop against the real coordinator is in test/sdk.e2e.test.ts.
 */
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type ChallengeContext } from "./client.ts";
import { PaymentChallengedError, PaymentPendingError } from "./errors.ts";
import type { Payment } from "./wire.ts";

interface Seen {
  method: string;
  url: string;
  body: any;
}

/** Challenges every payment; approves when the answer carries a purpose, re-challenges otherwise. Payment "slow" stays pending. */
function contractDouble(): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  let n = 0;
  const view = (id: string, over: Partial<Payment>): Payment => ({
    payment_id: id,
    idempotency_key: "k",
    agent_id: "a",
    status: "challenged",
    risk_level: "HIGH",
    decision: "challenge",
    reasons: [{ code: "AMOUNT_OVER_LIMIT", message: "over", validators: 3 }],
    payment_digest: "0".repeat(64),
    created_at: new Date().toISOString(),
    ...over,
  });
  const challenge = (round: number) => ({
    challenge_id: `ch_${round}`,
    kind: "proof_of_purpose",
    requested: ["purpose"],
    nonce: `nonce-${round}`,
    expires_at: new Date(Date.now() + 60_000).toISOString(),
  });
  const server: Server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c.toString("utf8")));
    req.on("end", () => {
      const body = text ? JSON.parse(text) : undefined;
      seen.push({ method: req.method!, url: req.url!, body });
      const send = (p: Payment) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(p));
      };
      if (req.method === "POST" && req.url === "/v1/payments") {
        const id = body.amount === "99.00" ? "slow" : `pay_${++n}`;
        return send(
          id === "slow"
            ? view(id, { status: "pending", decision: undefined, risk_level: undefined })
            : view(id, { challenge: challenge(1) }),
        );
      }
      const m = /^\/v1\/payments\/([^/]+)\/challenge-response$/.exec(req.url ?? "");
      if (req.method === "POST" && m) {
        const round = Number(body.challenge_id.slice(3));
        if (typeof body.responses?.purpose === "string")
          return send(view(m[1]!, { status: "settled", risk_level: "LOW", decision: "approve", reasons: [] }));
        return send(view(m[1]!, { challenge: challenge(round + 1) }));
      }
      if (req.method === "GET" && req.url === "/v1/payments/slow")
        return send(view("slow", { status: "pending", decision: undefined }));
      res.writeHead(404).end();
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      resolve({
        url: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`,
        seen,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    }),
  );
}

describe("pay() and challenges", () => {
  let double: Awaited<ReturnType<typeof contractDouble>>;
  const input = { sender: "s", receiver: "r", amount: "20000.00", currency: "USDC", debug_mode: true };
  beforeAll(async () => {
    double = await contractDouble();
  });
  afterAll(async () => {
    await double.close();
  });

  it("answers a challenge through onChallenge and returns the approved payment", async () => {
    const asked: ChallengeContext[] = [];
    const client = createClient({
      baseUrl: double.url,
      apiKey: "k".repeat(20),
      submitCode: false,
      onChallenge: (c) => (asked.push(c), { purpose: "quarterly licence" }),
    });
    const p = await client.pay(input);
    expect(p.status).toBe("settled");
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({
      round: 1,
      challenge: { challenge_id: "ch_1", kind: "proof_of_purpose" },
      reasons: [{ code: "AMOUNT_OVER_LIMIT" }],
    });
    const answer = double.seen.find((s) => s.url.endsWith("/challenge-response"))!;
    expect(answer.body).toEqual({
      challenge_id: "ch_1",
      nonce: "nonce-1",
      responses: { purpose: "quarterly licence" },
    });
  });

  it("raises PaymentChallengedError when the handler declines", async () => {
    const client = createClient({
      baseUrl: double.url,
      apiKey: "k".repeat(20),
      submitCode: false,
      onChallenge: () => null,
    });
    const e = await client.pay(input).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PaymentChallengedError);
    expect((e as PaymentChallengedError).payment.challenge?.challenge_id).toBe("ch_1");
  });

  it("stops after maxChallengeRounds answers that do not satisfy the network", async () => {
    let rounds = 0;
    const client = createClient({
      baseUrl: double.url,
      apiKey: "k".repeat(20),
      submitCode: false,
      maxChallengeRounds: 2,
      onChallenge: () => (rounds++, { logs: ["not what was asked"] }),
    });
    await expect(client.pay(input)).rejects.toBeInstanceOf(PaymentChallengedError);
    expect(rounds).toBe(2);
  });

  it("a per-payment handler wins over the client's", async () => {
    const client = createClient({
      baseUrl: double.url,
      apiKey: "k".repeat(20),
      submitCode: false,
      onChallenge: () => null,
    });
    const p = await client.pay({ ...input, onChallenge: () => ({ purpose: "approved by finance" }) });
    expect(p.status).toBe("settled");
  });

  it("polls a pending payment and gives up with PaymentPendingError after decisionTimeoutMs", async () => {
    const client = createClient({
      baseUrl: double.url,
      apiKey: "k".repeat(20),
      submitCode: false,
      decisionTimeoutMs: 600,
    });
    const before = double.seen.length;
    const e = await client.pay({ ...input, amount: "99.00" }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PaymentPendingError);
    expect(
      double.seen.slice(before).filter((s) => s.method === "GET" && s.url === "/v1/payments/slow").length,
    ).toBeGreaterThanOrEqual(1);
  });
});
