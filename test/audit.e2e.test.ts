/**
 * tAudit end to end over HTTP, on PGlite and PostgreSQL: agents submit code,
 * auditors approve and revoke it, every change lands in the verdict log, and
 * the validators' copies decide the very next payment accordingly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashFunctionSource } from "../sdk/src/normalise.ts";
import { EntryChecker, ValidatorSet, type AuditLogEntry } from "../protocol/index.ts";
import { LogStore } from "../coordinator/index.ts";
import { storeKinds } from "./helpers/db.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

const fn = (n: number) =>
  hashFunctionSource(
    `async function pay${n}(client, invoice) { return client.pay({ amount: invoice.total, tag: ${n} }); }`,
  );

describe.each(storeKinds())("audit registry end to end on %s", (store) => {
  let net: TestNetwork;
  const submit = (f: { hash: string; normalised: string }, key?: string) =>
    net.request("POST", "/v1/audit/code", { code_hash: f.hash, name: "payInvoice", source: f.normalised }, key);
  const approve = (hash: string, key?: string) =>
    net.request("POST", `/v1/audit/code/${hash}/approve`, { note: "reviewed" }, key ?? net.auditorKey);
  const revoke = (hash: string, key?: string) =>
    net.request("POST", `/v1/audit/code/${hash}/revoke`, { reason: "sends to any receiver" }, key ?? net.auditorKey);
  const logEntries = async () => {
    const res = await net.get("/v1/log/entries?start=0&limit=1000", net.auditorKey);
    return (res.body.entries as { leaf: string }[]).map(
      (e) => JSON.parse(Buffer.from(e.leaf, "base64").toString()) as { type: string },
    );
  };

  beforeAll(async () => {
    net = await startNetwork({ store });
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("takes a submission as pending, once, and logs it as an audit entry", async () => {
    const f = fn(1);
    const first = await submit(f);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ code_hash: f.hash, state: "pending", created: true, source: f.normalised });
    const again = await submit(f);
    expect(again.body).toMatchObject({ state: "pending", created: false, log_index: first.body.log_index });
    const audits = (await logEntries()).filter((e) => e.type === "sentineliq.audit.v1") as AuditLogEntry[];
    expect(audits.filter((e) => e.code_hash === f.hash)).toEqual([
      expect.objectContaining({ action: "submit", from: null, to: "pending", actor: { role: "agent" } }),
    ]);
  });

  it("refuses source that does not hash to the code hash, storing nothing", async () => {
    const f = fn(2);
    const res = await net.request("POST", "/v1/audit/code", {
      code_hash: f.hash,
      name: "x",
      source: f.normalised + " ",
    });
    expect(res.status).toBe(422);
    expect(res.body.error_details.code).toBe("CODE_HASH_MISMATCH");
    expect((await net.get(`/v1/audit/code/${f.hash}`, net.auditorKey)).status).toBe(404);
  });

  it("keeps the roles apart: agents cannot approve, auditors cannot pay, strangers get 401", async () => {
    const f = fn(3);
    await submit(f);
    const byAgent = await approve(f.hash, net.apiKey);
    expect(byAgent.status).toBe(403);
    expect(byAgent.body.error_details.code).toBe("FORBIDDEN");
    const payByAuditor = await net.post(net.payment(), net.auditorKey);
    expect(payByAuditor.status).toBe(403);
    const submitByAuditor = await submit(f, net.auditorKey);
    expect(submitByAuditor.status).toBe(403);
    expect((await approve(f.hash, "siq_nobody_000000000000000000")).status).toBe(401);
    expect((await net.get(`/v1/audit/code/${f.hash}`)).body.state).toBe("pending");
  });

  it("decides the very next payment by the registry: pending → challenged, approved → settled, revoked → rejected", async () => {
    const f = fn(4);
    await submit(f);
    const pending = await net.post(net.payment({ func_stack_hashes: [f.hash] }));
    expect(pending.body).toMatchObject({ status: "challenged", risk_level: "MEDIUM" });
    expect(pending.body.reasons.map((r: { code: string }) => r.code)).toContain("UNAUDITED_CODE_PATH");

    const approved = await approve(f.hash);
    expect(approved.body).toMatchObject({ state: "approved", note: "reviewed" });
    const ok = await net.post(net.payment({ func_stack_hashes: [f.hash] }));
    expect(ok.body).toMatchObject({ status: "settled", risk_level: "LOW" });

    const revoked = await revoke(f.hash);
    expect(revoked.body).toMatchObject({ state: "revoked", note: "sends to any receiver" });
    const no = await net.post(net.payment({ func_stack_hashes: [f.hash] }));
    expect(no.body).toMatchObject({ status: "rejected", risk_level: "CRITICAL", decision: "reject" });
    expect(no.body.reasons.map((r: { code: string }) => r.code)).toContain("REVOKED_CODE_PATH");
  });

  it("never approves a revoked hash again, approves nothing unknown, and repeats are no-ops", async () => {
    const f = fn(5);
    await submit(f);
    const first = await approve(f.hash);
    const repeat = await approve(f.hash);
    expect(repeat.body.log_index).toBe(first.body.log_index);
    await revoke(f.hash);
    const again = await approve(f.hash);
    expect(again.status).toBe(409);
    expect(again.body.error_details.code).toBe("AUDIT_REVOKED");
    const unknown = await approve(fn(999).hash);
    expect(unknown.status).toBe(404);
    const bad = await net.request("POST", "/v1/audit/code/not-a-hash/approve", {}, net.auditorKey);
    expect(bad.status).toBe(400);
    const noReason = await net.request("POST", `/v1/audit/code/${f.hash}/revoke`, {}, net.auditorKey);
    expect(noReason.status).toBe(400);
  });

  it("shows an organisation only its own submissions; auditors see all, by state and page", async () => {
    const mine = fn(6);
    await submit(mine);
    const other = net.apiKey + "-b";
    expect((await net.get(`/v1/audit/code/${mine.hash}`, other)).status).toBe(404);
    const theirs = await net.get("/v1/audit/code", other);
    expect(theirs.body.records.map((r: { code_hash: string }) => r.code_hash)).not.toContain(mine.hash);
    const all = await net.get("/v1/audit/code?limit=500", net.auditorKey);
    expect(all.body.records.map((r: { code_hash: string }) => r.code_hash)).toContain(mine.hash);
    expect(all.body.records[0].source).toBeUndefined();
    const revoked = await net.get("/v1/audit/code?state=revoked", net.auditorKey);
    expect(revoked.body.records.length).toBeGreaterThanOrEqual(2);
    expect(revoked.body.records.every((r: { state: string }) => r.state === "revoked")).toBe(true);
    const page1 = await net.get("/v1/audit/code?limit=2", net.auditorKey);
    const page2 = await net.get(`/v1/audit/code?limit=2&after=${page1.body.next}`, net.auditorKey);
    expect(page1.body.records).toHaveLength(2);
    expect(page2.body.records[0].code_hash > page1.body.next).toBe(true);
    // Once tenant-b submits the same code it may see it too.
    await submit(mine, other);
    expect((await net.get(`/v1/audit/code/${mine.hash}`, other)).status).toBe(200);
  });

  it("leaves a log that verifies, with the registry replayed from it", async () => {
    const verifier = new EntryChecker(ValidatorSet.parse(net.validatorSet));
    for await (const row of new LogStore(net.db).all())
      expect(verifier.check(row.entry)).toMatchObject({ ok: true, checked: true });
    expect(verifier.audit.states.get(fn(4).hash)).toBe("revoked");
    expect(verifier.audit.states.get(fn(1).hash)).toBe("pending");
    const listed = await net.get("/v1/audit/code?limit=500", net.auditorKey);
    for (const r of listed.body.records as { code_hash: string; state: string }[])
      expect(verifier.audit.states.get(r.code_hash)).toBe(r.state);
  });
});
