/** Malformed requests get a typed 4xx with error_details and leave no trace in the store or the log. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

describe("bad input", () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await startNetwork({ store: "pglite" });
  });
  afterAll(async () => {
    await net?.stop();
  });

  const counts = async () => {
    const [p] = await net.db.query("SELECT count(*)::int AS n FROM siq_payments");
    const [l] = await net.db.query("SELECT count(*)::int AS n FROM siq_log_entries");
    return { payments: p!.n, log: l!.n };
  };

  const without = (key: string) => {
    const body: Record<string, unknown> = { ...net.payment() };
    delete body[key];
    return body;
  };

  const cases: [string, () => unknown, number, string, string?][] = [
    ["a missing amount", () => without("amount"), 400, "INVALID_AMOUNT", "amount"],
    ["a missing trace_context", () => without("trace_context"), 400, "INVALID_REQUEST", "trace_context"],
    ["a negative amount", () => net.payment({ amount: "-5.00" }), 400, "INVALID_AMOUNT", "amount"],
    ["a zero amount", () => net.payment({ amount: "0.00" }), 400, "INVALID_AMOUNT", "amount"],
    ["a non-numeric amount", () => net.payment({ amount: "12,50" }), 400, "INVALID_AMOUNT", "amount"],
    ["a numeric (not string) amount", () => ({ ...net.payment(), amount: 12.5 }), 400, "INVALID_AMOUNT", "amount"],
    [
      "bad hex in func_stack_hashes",
      () => net.payment({ func_stack_hashes: ["zz".repeat(32)] }),
      400,
      "INVALID_HEX",
      "func_stack_hashes.0",
    ],
    ["a short hash", () => net.payment({ func_stack_hashes: ["abcd"] }), 400, "INVALID_HEX", "func_stack_hashes.0"],
    [
      "a receiver that is not an address",
      () => net.payment({ receiver: "not-an-address" }),
      400,
      "INVALID_ADDRESS",
      "receiver",
    ],
    ["an unknown field", () => ({ ...net.payment(), surprise: 1 }), 400, "INVALID_REQUEST"],
    ["a JSON array", () => [], 400, "INVALID_REQUEST"],
    ["broken JSON", () => '{"amount": ', 400, "INVALID_JSON"],
  ];

  it.each(cases)("rejects %s", async (_name, body, status, code, path) => {
    const before = await counts();
    const res = await net.post(body());
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect(res.body.error_details.code).toBe(code);
    expect(res.body.error_details.message).toBeTypeOf("string");
    if (path) expect(res.body.error_details.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await counts()).toEqual(before);
  });

  it("rejects a 1 MB body with 413", async () => {
    const before = await counts();
    const big = net.payment({ trace_context: { purpose: "x".repeat(1024 * 1024) } });
    const res = await net.post(big);
    expect(res.status).toBe(413);
    expect(res.body.error_details.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await counts()).toEqual(before);
  });

  it("rejects a wrong or missing API key with 401", async () => {
    const before = await counts();
    const wrong = await net.post(net.payment(), "siq_wrong_key_0000000000000000");
    const none = await net.post(net.payment(), "");
    expect(wrong.status).toBe(401);
    expect(wrong.body.error_details.code).toBe("UNAUTHENTICATED");
    expect(none.status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("rejects a non-JSON content type with 415", async () => {
    const res = await fetch(`${net.url}/v1/payments`, {
      method: "POST",
      headers: { authorization: `Bearer ${net.apiKey}`, "content-type": "text/plain" },
      body: "hello",
    });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error_details: { code: string } }).error_details.code).toBe(
      "UNSUPPORTED_MEDIA_TYPE",
    );
  });

  it("answers an unknown route and an unknown payment with 404", async () => {
    expect((await net.get("/v1/nothing")).body.error_details.code).toBe("NOT_FOUND");
    expect((await net.get("/v1/payments/pay_missing")).status).toBe(404);
  });
});
