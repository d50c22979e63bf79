/**
 * Every route of `protocol/routes.ts`, driven through `app.inject()` on the
 * real coordinator (PGlite store, real NATS JetStream, four validators): a
 * success and the refusals a hostile or careless client can cause (no key,
 * the wrong role, another tenant's ids, malformed input, bodies too large or
 * not JSON). Each answer is checked against the OpenAPI document the server
 * serves at `/docs/json`: its status must be declared for the operation, its
 * media type for that status, and its body must match that schema. A route
 * added to the definitions without a scenario here fails to compile and fails
 * the coverage test at the end.
 */
import { randomBytes } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTlogProof, routePath, routes, sha256Hex, type RouteDef, type Routes } from "../../protocol/index.ts";
import { startNetwork, type TestNetwork } from "../../test/helpers/network.ts";
import { ResponseChecker } from "../../test/helpers/openapi.ts";
import { contradict } from "../../test/helpers/equivocate.ts";
import { accountScenarios } from "../../test/helpers/account-scenarios.ts";
import { keyScenarios } from "../../test/helpers/key-scenarios.ts";
import { privacyScenarios } from "../../test/helpers/privacy-scenarios.ts";
import { startMailCatcher, type MailCatcher } from "../../lib/mail-catcher.ts";
import { openApiPath } from "./openapi.ts";

type Name = keyof Routes;

interface Call {
  params?: Record<string, string>;
  query?: Record<string, string | number>;
  body?: unknown;
  /** Raw bytes to send instead of `body` as JSON. */
  payload?: string;
  contentType?: string;
  /** A key to send; null sends none; default: the agent's key, or the auditor's or approver's on their routes. */
  key?: string | null;
}

interface Got {
  status: number;
  body: any;
  bytes: Buffer;
}

const until = async (what: () => Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** A route that takes no input and no key: no client can make it refuse. */
const takesNothing = (def: RouteDef) =>
  def.auth === "none" &&
  !def.body &&
  !def.query &&
  Object.keys((def.params as unknown as { shape?: object }).shape ?? {}).length === 0;

describe("every route through inject(), checked against its OpenAPI document", () => {
  let net: TestNetwork;
  let app: FastifyInstance;
  let checker: ResponseChecker;
  let mail: MailCatcher;
  const driven = new Map<Name, { ok: number; refused: number }>();
  const otherTenant = () => net.apiKey + "-b";

  const urlOf = (def: RouteDef, c: Call) => {
    const path = def.path.endsWith("*")
      ? routePath(def.path.slice(0, -1), c.params) + (c.params?.["*"] ?? "")
      : routePath(def.path, c.params);
    const query = c.query
      ? `?${String(new URLSearchParams(Object.entries(c.query).map(([k, v]): [string, string] => [k, String(v)])))}`
      : "";
    return path + query;
  };

  const call = async (name: Name, c: Call = {}): Promise<Got> => {
    const def: RouteDef = routes[name];
    const byRole = { auditor: net.auditorKey, approver: net.approverKey, operator: net.operatorKey } as Record<
      string,
      string
    >;
    const key = c.key === undefined ? (byRole[def.auth] ?? net.apiKey) : c.key;
    const payload = c.payload ?? (c.body === undefined ? undefined : JSON.stringify(c.body));
    const res = await app.inject({
      method: def.method,
      url: urlOf(def, c),
      headers: {
        ...(key !== null && def.auth !== "none" ? { authorization: `Bearer ${key}` } : {}),
        ...(payload !== undefined ? { "content-type": c.contentType ?? "application/json" } : {}),
      },
      ...(payload !== undefined ? { payload } : {}),
    });
    expect(checker.problems(def.method, openApiPath(def.path), res)).toEqual([]);
    const tally = driven.get(name) ?? { ok: 0, refused: 0 };
    if (res.statusCode < 400) tally.ok++;
    else tally.refused++;
    driven.set(name, tally);
    const json = String(res.headers["content-type"]).startsWith("application/json");
    const body = json ? res.json() : res.payload;
    if (res.statusCode >= 400) expect(body.error_details).toMatchObject({ code: body.code, message: body.message });
    return { status: res.statusCode, body, bytes: res.rawPayload };
  };

  /** Calls and expects a refusal with this status and code. */
  const refused = async (name: Name, c: Call, status: number, code: string) => {
    const r = await call(name, c);
    expect({ status: r.status, code: r.body.code }).toEqual({ status, code });
    return r;
  };

  /** Every log entry this key may read: [index, type]. */
  const readable = async (key: string) => {
    const out: [number, string][] = [];
    for (let start = 0; ;) {
      const page = await call("logEntries", { query: { start, limit: 1000 }, key });
      if (page.body.entries.length === 0) return out;
      out.push(...page.body.entries.map((e: { index: number; type: string }): [number, string] => [e.index, e.type]));
      start = out.at(-1)![0] + 1;
    }
  };

  const state = {
    payment: undefined as unknown as { payment_id: string; log_index: number; idempotency_key: string },
    event: "",
    code: { hash: "", source: "" },
    /** A payment waiting for a step-up. */
    stepUp: undefined as unknown as { payment_id: string; challenge: { challenge_id: string; nonce: string } },
  };
  const high = () =>
    call("createPayment", {
      body: net.payment({
        amount: "25000.00",
        trace_context: { purpose: "pay invoice INV-7781 for the annual licence" },
      }),
    });
  const codeSource = () => {
    const source = `async function pay(c) { return c.pay(${randomBytes(4).readUInt32BE()}); }`;
    return { hash: sha256Hex(source), source };
  };

  beforeAll(async () => {
    mail = await startMailCatcher();
    net = await startNetwork({ store: "pglite", coordinatorConfig: { accounts: { smtpUrl: mail.url } } });
    app = net.coordinator.app;
    checker = new ResponseChecker((await app.inject({ url: "/docs/json" })).json());
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
    await mail?.stop();
  });

  const scenarios: Record<Name, () => Promise<void>> = {
    createPayment: async () => {
      const body = net.payment();
      const ok = await call("createPayment", { body });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ status: "settled", risk_level: "LOW", decision: "approve" });
      state.payment = ok.body;
      await refused("createPayment", { body, key: null }, 401, "UNAUTHENTICATED");
      await refused("createPayment", { body, key: "siq_unknown_key_0123456789" }, 401, "UNAUTHENTICATED");
      await refused("createPayment", { body, key: net.auditorKey }, 403, "FORBIDDEN");
      await refused("createPayment", { body: { ...body, amount: "-5" } }, 400, "INVALID_AMOUNT");
      await refused("createPayment", { body: { ...body, receiver: "0xnot-solana" } }, 400, "INVALID_ADDRESS");
      await refused("createPayment", { body: { ...body, surprise: 1 } }, 400, "INVALID_REQUEST");
      await refused("createPayment", { payload: '{"amount": ' }, 400, "INVALID_JSON");
      await refused("createPayment", { payload: "amount=1", contentType: "text/plain" }, 415, "UNSUPPORTED_MEDIA_TYPE");
      const huge = JSON.stringify({ ...body, trace_context: { steps: ["x".repeat(70_000)] } });
      await refused("createPayment", { payload: huge }, 413, "PAYLOAD_TOO_LARGE");
      await refused("createPayment", { body: { ...body, amount: "99.00" } }, 409, "IDEMPOTENCY_KEY_REUSED");
    },
    getPayment: async () => {
      const params = { payment_id: state.payment.payment_id };
      const ok = await call("getPayment", { params });
      expect(ok.body).toMatchObject({ payment_id: params.payment_id, status: "settled" });
      expect(ok.body.verdicts.length).toBeGreaterThanOrEqual(3);
      await refused("getPayment", { params, key: otherTenant() }, 404, "NOT_FOUND");
      await refused("getPayment", { params: { payment_id: "pay_nope" } }, 404, "NOT_FOUND");
      await refused("getPayment", { params: { payment_id: "bad id!" } }, 400, "INVALID_REQUEST");
      await refused("getPayment", { params, key: null }, 401, "UNAUTHENTICATED");
    },
    createEvent: async () => {
      const body = {
        event_id: `ev-${randomBytes(4).toString("hex")}`,
        kind: "login_success",
        user_id: "u-1",
        ip: "203.0.113.7",
      };
      const ok = await call("createEvent", { body });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ event_id: body.event_id, kind: "login_success" });
      state.event = body.event_id;
      await refused("createEvent", { body: { ...body, user_id: undefined } }, 400, "INVALID_REQUEST");
      await refused("createEvent", { body: { ...body, ip: "999.1.1.1" } }, 400, "INVALID_REQUEST");
      await refused("createEvent", { body: { ...body, kind: "login_failure" } }, 409, "IDEMPOTENCY_KEY_REUSED");
      await refused("createEvent", { body, key: net.auditorKey }, 403, "FORBIDDEN");
    },
    getEvent: async () => {
      const ok = await call("getEvent", { params: { event_id: state.event } });
      expect(ok.body).toMatchObject({ event_id: state.event });
      await refused("getEvent", { params: { event_id: state.event }, key: otherTenant() }, 404, "NOT_FOUND");
      await refused("getEvent", { params: { event_id: "-leading-dash" } }, 400, "INVALID_REQUEST");
      await refused("getEvent", { params: { event_id: state.event }, key: null }, 401, "UNAUTHENTICATED");
    },
    challengeResponse: async () => {
      const first = await high();
      expect(first.body).toMatchObject({ status: "challenged" });
      const params = { payment_id: first.body.payment_id };
      const ch = first.body.challenge;
      const responses = { purpose: "Annual licence renewal for the analytics seat", reference: "INV-7781" };
      await refused(
        "challengeResponse",
        { params, body: { challenge_id: "ch_nope", nonce: "0".repeat(32), responses } },
        409,
        "CHALLENGE_MISMATCH",
      );
      await refused("challengeResponse", { params, body: { challenge_id: ch.challenge_id } }, 400, "INVALID_REQUEST");
      const answer = { challenge_id: ch.challenge_id, nonce: ch.nonce, responses };
      await refused("challengeResponse", { params, body: answer, key: otherTenant() }, 404, "NOT_FOUND");
      await refused("challengeResponse", { params, body: answer, key: net.auditorKey }, 403, "FORBIDDEN");
      const noNonce = { challenge_id: ch.challenge_id, responses };
      await refused("challengeResponse", { params, body: noNonce }, 400, "INVALID_REQUEST");
      const selfConfirmed = { ...answer, responses: { ...responses, confirmed: true, confirmed_by: "me" } };
      await refused("challengeResponse", { params, body: selfConfirmed }, 403, "STEP_UP_NOT_BY_AGENT");
      // A HIGH payment's proof of purpose is not enough on its own: a person of the organisation confirms it.
      const ok = await call("challengeResponse", { params, body: answer });
      expect(ok.body).toMatchObject({ payment_id: params.payment_id, status: "challenged", attempt: 2 });
      expect(ok.body.challenge).toMatchObject({ kind: "step_up", attempt: 2 });
      state.stepUp = ok.body;
      await refused("challengeResponse", { params, body: answer }, 409, "CHALLENGE_MISMATCH");
      const step = { challenge_id: ok.body.challenge.challenge_id, nonce: ok.body.challenge.nonce, responses };
      await refused("challengeResponse", { params, body: step }, 403, "STEP_UP_NOT_BY_AGENT");
    },
    approveChallenge: async () => {
      const params = { challenge_id: state.stepUp.challenge.challenge_id };
      await refused("approveChallenge", { params, body: {}, key: net.apiKey }, 403, "FORBIDDEN");
      await refused("approveChallenge", { params, body: {}, key: net.approverKey + "-b" }, 404, "NOT_FOUND");
      await refused("approveChallenge", { params: { challenge_id: "nope" }, body: {} }, 400, "INVALID_REQUEST");
      await refused("approveChallenge", { params, body: { note: 7 } }, 400, "INVALID_REQUEST");
      const ok = await call("approveChallenge", { params, body: { note: "called the CFO" } });
      expect(ok.body).toMatchObject({ payment_id: state.stepUp.payment_id, decision: "approve", attempt: 3 });
      await refused("approveChallenge", { params, body: {} }, 409, "CHALLENGE_NOT_OPEN");
    },
    declineChallenge: async () => {
      const first = await high();
      const params = { challenge_id: first.body.challenge.challenge_id };
      await refused("declineChallenge", { params, body: {}, key: net.auditorKey }, 403, "FORBIDDEN");
      await refused("declineChallenge", { params, body: {}, key: null }, 401, "UNAUTHENTICATED");
      const ok = await call("declineChallenge", { params, body: { note: "not ours" } });
      expect(ok.body).toMatchObject({ status: "rejected", error_details: { code: "CHALLENGE_DECLINED" } });
      await refused("declineChallenge", { params, body: {} }, 409, "CHALLENGE_NOT_OPEN");
    },
    paymentReceipt: async () => {
      const params = { payment_id: state.payment.payment_id };
      const url = urlOf(routes.paymentReceipt, { params });
      const headers = { authorization: `Bearer ${net.apiKey}` };
      await until(async () => (await app.inject({ url, headers })).statusCode === 200);
      const ok = await call("paymentReceipt", { params });
      expect(ok.body).toMatch(/^c2sp\.org\/tlog-proof@v1\n/);
      // The receipt carries the payer's own entry (its `extra` line): the bytes the log holds at its index.
      const receipt = parseTlogProof(ok.body);
      const logged = await call("logEntries", { query: { start: receipt.index, limit: 1 }, key: net.auditorKey });
      expect(receipt.extra?.toString("base64")).toBe(logged.body.entries[0].leaf);
      await refused("paymentReceipt", { params, key: otherTenant() }, 404, "NOT_FOUND");
      await refused("paymentReceipt", { params, key: null }, 401, "UNAUTHENTICATED");
    },
    logVkey: async () => {
      const ok = await call("logVkey");
      expect(ok.body).toBe(net.vkey + "\n");
    },
    logCheckpoint: async () => {
      const ok = await call("logCheckpoint");
      expect(ok.body).toMatch(/^sentineliq\.local\/log\n\d+\n/);
    },
    logEntries: async () => {
      const indexes = (r: Got) => r.body.entries.map((e: { index: number }) => e.index);
      const ok = await call("logEntries", { query: { start: 0, limit: 2 } });
      expect(indexes(ok)).toEqual([0, 1]);
      const all = await call("logEntries", { query: { start: 0, limit: 2 }, key: net.auditorKey });
      expect(all.body.entries).toEqual(ok.body.entries);
      // Tenant B has logged nothing: it reads no entry, though the log has some.
      // So far every entry is tenant A's: its payment's decision, its challenge records, its event.
      const mine = await readable(net.apiKey);
      expect(mine).toEqual(await readable(net.auditorKey));
      expect(mine.map(([, type]) => type)).toContain("sentineliq.event.v1");
      const other = await call("logEntries", { query: { start: 0, limit: 1000 }, key: otherTenant() });
      expect({ entries: other.body.entries, size: other.body.size > 0 }).toEqual({ entries: [], size: true });
      await refused("logEntries", { query: { start: 0 }, key: null }, 401, "UNAUTHENTICATED");
      await refused("logEntries", { query: { start: 0 }, key: "siq_unknown_key_0123456789" }, 401, "UNAUTHENTICATED");
      await refused("logEntries", { query: { start: 0 }, key: net.operatorKey }, 403, "FORBIDDEN");
      await refused("logEntries", { query: { limit: 0 } }, 400, "INVALID_REQUEST");
      await refused("logEntries", { query: { start: "abc" } }, 400, "INVALID_REQUEST");
      await refused("logEntries", { query: { start: -1 } }, 400, "INVALID_REQUEST");
    },
    logInclusion: async () => {
      const ok = await call("logInclusion", { query: { index: 0, tree_size: 2 } });
      expect(ok.body.hashes).toHaveLength(1);
      await refused("logInclusion", { query: { index: 2, tree_size: 2 } }, 400, "INVALID_REQUEST");
      await refused("logInclusion", { query: { index: 0 } }, 400, "INVALID_REQUEST");
      await refused("logInclusion", { query: { index: 0, tree_size: 1e9 } }, 404, "NOT_FOUND");
    },
    logConsistency: async () => {
      const ok = await call("logConsistency", { query: { first: 1, second: 2 } });
      expect(ok.body.hashes.length).toBeGreaterThan(0);
      await refused("logConsistency", { query: { first: 2, second: 1 } }, 400, "INVALID_REQUEST");
      await refused("logConsistency", { query: { first: 1, second: 1e9 } }, 404, "NOT_FOUND");
      await refused("logConsistency", { query: { first: "x", second: 2 } }, 400, "INVALID_REQUEST");
    },
    logEntryBundle: async () => {
      const bundle = await call("logEntryBundle", { params: { "*": "000.p/1" } });
      expect(bundle.bytes.length).toBeGreaterThan(2);
      await refused("logEntryBundle", { params: { "*": "000.p/1" }, key: null }, 401, "UNAUTHENTICATED");
      await refused("logEntryBundle", { params: { "*": "000.p/1" }, key: net.apiKey }, 403, "FORBIDDEN");
      await refused("logEntryBundle", { params: { "*": "999.p/3" } }, 404, "NOT_FOUND");
      await refused("logEntryBundle", { params: { "*": "0/000.p/1" } }, 404, "NOT_FOUND");
      await refused("logEntryBundle", { params: { "*": "1".repeat(200) } }, 400, "INVALID_REQUEST");
    },
    logTile: async () => {
      const hashes = await call("logTile", { params: { "*": "0/000.p/2" } });
      expect(hashes.bytes).toHaveLength(64);
      // The public tile route never serves entry bytes, however the path is spelled.
      for (const url of [
        "/v1/log/tile/entries/000.p/1",
        "/v1/log/tile/%65ntries/000.p/1",
        "/v1/log/tile//entries/000.p/1",
      ]) {
        const res = await app.inject({ url });
        expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      }
      await refused("logTile", { params: { "*": "../../etc/passwd" } }, 404, "NOT_FOUND");
      await refused("logTile", { params: { "*": "0/999.p/3" } }, 404, "NOT_FOUND");
      await refused("logTile", { params: { "*": "0/" + "1".repeat(200) } }, 400, "INVALID_REQUEST");
    },
    auditSubmit: async () => {
      state.code = codeSource();
      const body = { code_hash: state.code.hash, name: "pay", source: state.code.source };
      const ok = await call("auditSubmit", { body });
      expect(ok.body).toMatchObject({ code_hash: state.code.hash, state: "pending", created: true });
      await refused("auditSubmit", { body: { ...body, source: body.source + " " } }, 422, "CODE_HASH_MISMATCH");
      await refused("auditSubmit", { body: { ...body, code_hash: "ABC" } }, 400, "INVALID_REQUEST");
      await refused("auditSubmit", { body, key: net.auditorKey }, 403, "FORBIDDEN");
    },
    auditList: async () => {
      const mine = await call("auditList", { query: { state: "pending" } });
      expect(mine.body.records.map((r: { code_hash: string }) => r.code_hash)).toContain(state.code.hash);
      const all = await call("auditList", { key: net.auditorKey, query: { limit: 500 } });
      expect(all.body.records.length).toBeGreaterThanOrEqual(1);
      await refused("auditList", { query: { state: "maybe" } }, 400, "INVALID_REQUEST");
      await refused("auditList", { key: null }, 401, "UNAUTHENTICATED");
    },
    auditGet: async () => {
      const ok = await call("auditGet", { params: { code_hash: state.code.hash } });
      expect(ok.body).toMatchObject({ code_hash: state.code.hash, source: state.code.source });
      await refused("auditGet", { params: { code_hash: state.code.hash }, key: otherTenant() }, 404, "NOT_FOUND");
      await refused("auditGet", { params: { code_hash: sha256Hex("never submitted") } }, 404, "NOT_FOUND");
      await refused("auditGet", { params: { code_hash: "nothex" } }, 400, "INVALID_REQUEST");
    },
    auditApprove: async () => {
      const params = { code_hash: state.code.hash };
      await refused("auditApprove", { params, body: { note: "ok" }, key: net.apiKey }, 403, "FORBIDDEN");
      await refused("auditApprove", { params, body: { note: 7 } }, 400, "INVALID_REQUEST");
      const unknown = { code_hash: sha256Hex("never submitted") };
      await refused("auditApprove", { params: unknown, body: {} }, 404, "NOT_FOUND");
      const ok = await call("auditApprove", { params, body: { note: "reviewed" } });
      expect(ok.body).toMatchObject({ code_hash: state.code.hash, state: "approved" });
    },
    auditRevoke: async () => {
      const params = { code_hash: state.code.hash };
      await refused("auditRevoke", { params, body: {} }, 400, "INVALID_REQUEST");
      await refused("auditRevoke", { params, body: { reason: "x" }, key: net.apiKey }, 403, "FORBIDDEN");
      await refused("auditRevoke", { params, body: { reason: "x" }, key: null }, 401, "UNAUTHENTICATED");
      const ok = await call("auditRevoke", { params, body: { reason: "sends to any receiver" } });
      expect(ok.body).toMatchObject({ state: "revoked" });
      await refused("auditApprove", { params, body: {} }, 409, "AUDIT_REVOKED");
      // The registry's entries for this code are read by the tenant that submitted it, not by another.
      const audit = (await readable(net.auditorKey)).filter(([, type]) => type === "sentineliq.audit.v1");
      expect(audit.length).toBeGreaterThanOrEqual(3);
      expect(await readable(net.apiKey)).toEqual(expect.arrayContaining(audit));
      expect(await readable(otherTenant())).toEqual([]);
    },
    validatorsList: async () => {
      const ok = await call("validatorsList");
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ quorum_safe: true, n: 4, f: 1, epoch: 0 });
      expect(ok.body.validators.map((v: { id: string }) => v.id)).toEqual(["v1", "v2", "v3", "v4"]);
      await refused("validatorsList", { key: null }, 401, "UNAUTHENTICATED");
      await refused("validatorsList", { key: net.apiKey }, 403, "FORBIDDEN");
      await refused("validatorsList", { key: net.auditorKey }, 403, "FORBIDDEN");
    },
    validatorReinstate: async () => {
      const params = { validator_id: "v1" };
      await refused("validatorReinstate", { params, body: {} }, 409, "CONFLICT");
      await refused("validatorReinstate", { params: { validator_id: "v9" }, body: {} }, 404, "NOT_FOUND");
      await refused("validatorReinstate", { params, body: {}, key: net.apiKey }, 403, "FORBIDDEN");
      await refused("validatorReinstate", { params, body: { surprise: 1 } }, 400, "INVALID_REQUEST");
      // v1 contradicts its own verdict on a decided payment: excluded (n = 4 cannot lose one: /ready says why).
      await contradict(net, "v1", state.payment.payment_id);
      await until(async () => (await call("validatorsList")).body.validators[0].excluded === true);
      const ready = await app.inject({ url: routes.ready.path });
      expect(ready.statusCode).toBe(503);
      expect(ready.json().reason).toMatch(/^QUORUM_UNSAFE/);
      const ok = await call("validatorReinstate", { params, body: { reason: "key rotated" } });
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject({ quorum_safe: true, epoch: 2 });
      expect(ok.body.validators[0]).toMatchObject({ id: "v1", excluded: false });
      // A reinstatement concerns no organisation: the auditor reads it, tenant A does not.
      const status = (await readable(net.auditorKey)).filter(([, type]) => type === "sentineliq.validator_status.v1");
      expect(status.length).toBe(2);
      const mine = (await readable(net.apiKey)).filter(([, type]) => type === "sentineliq.validator_status.v1");
      expect(mine).toEqual(status.slice(0, 1));
    },
    analyticsDashboard: async () => {
      const from = new Date(Date.now() - 3_600_000).toISOString();
      const ok = await call("analyticsDashboard", { query: { from, bucket: "minute" } });
      expect(ok.status).toBe(200);
      expect(ok.body.totals.payments).toBeGreaterThanOrEqual(1);
      expect(ok.body.totals.decisions.approve).toBeGreaterThanOrEqual(1);
      expect(ok.body.series.length).toBeGreaterThanOrEqual(60);
      const other = await call("analyticsDashboard", { query: { from, bucket: "minute" }, key: otherTenant() });
      expect(other.body.totals.payments).toBeLessThan(ok.body.totals.payments);
      await refused("analyticsDashboard", { key: null }, 401, "UNAUTHENTICATED");
      await refused("analyticsDashboard", { key: net.auditorKey }, 403, "FORBIDDEN");
      await refused("analyticsDashboard", { key: net.operatorKey }, 403, "FORBIDDEN");
      await refused("analyticsDashboard", { key: "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln" }, 401, "INVALID_TOKEN");
      await refused("analyticsDashboard", { query: { bucket: "week" } }, 400, "INVALID_REQUEST");
      await refused("analyticsDashboard", { query: { from, to: from } }, 400, "INVALID_REQUEST");
      await refused(
        "analyticsDashboard",
        { query: { from: "2000-01-01T00:00:00Z", bucket: "minute" } },
        400,
        "INVALID_REQUEST",
      );
      await refused("analyticsDashboard", { query: { tenant_id: "tenant-b" } }, 400, "INVALID_REQUEST");
    },
    ...accountScenarios({
      call,
      refused,
      mail: () => mail,
      url: () => net.url,
      apiKey: () => net.apiKey,
    }),
    ...keyScenarios({
      call,
      refused,
      mail: () => mail,
      url: () => net.url,
      apiKey: () => net.apiKey,
      payment: (o) => net.payment(o),
    }),
    ...privacyScenarios({
      call,
      refused,
      mail: () => mail,
      url: () => net.url,
      apiKey: () => net.apiKey,
      payment: (o) => net.payment(o),
    }),
    health: async () => {
      expect((await call("health")).body).toEqual({ status: "ok" });
    },
    ready: async () => {
      await until(async () => (await app.inject({ url: routes.ready.path })).statusCode === 200);
      expect((await call("ready")).body).toMatchObject({ status: "ready", bus: true, store: true });
    },
  };

  for (const name of Object.keys(routes) as Name[]) {
    it(`${routes[name].method} ${routes[name].path} (${name})`, async () => {
      await scenarios[name]();
    });
  }

  it("drove every route in the definitions: a success each, and a refusal each unless it takes nothing", () => {
    for (const [name, def] of Object.entries(routes) as [Name, RouteDef][]) {
      const t = driven.get(name) ?? { ok: 0, refused: 0 };
      expect({ name, succeeded: t.ok > 0 }).toEqual({ name, succeeded: true });
      expect({ name, refused: t.refused > 0 || takesNothing(def) }).toEqual({ name, refused: true });
    }
  });
});
