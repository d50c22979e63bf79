/**
 * Defence in depth, against a running network (JetStream, PGlite, 4 validators), as if the bus were hostile:
 * a raw NATS client publishes forged tasks, settlement orders, log appends and registry values. Each is refused
 * (dead-lettered with its code, or ignored and logged), nothing changes, every actor keeps running, and a
 * payment made afterwards is still decided by all four validators and settled.
 * Where a forgery carries the coordinator's bus key (as if that key leaked), the next check still refuses it.
 */
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../cli/launcher/processes.ts";
import { connectJetStream } from "../lib/bus/index.ts";
import {
  canonicalBytes,
  decideQuorum,
  decisionKey,
  paymentDigest,
  QuorumDecision,
  sha256Hex,
  signAuditStatement,
  signBusMessage,
  Signer,
  signVerdict,
  topology,
  type EvaluationTask,
  type LogAppend,
  type SettlementOrder,
  type Topology,
  type Verdict,
} from "../protocol/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

const run = promisify(execFile);

/** A code hash nobody audited: the default pack challenges a payment that runs it (UNAUDITED_CODE_PATH). */
const UNAUDITED = "c0de".repeat(16);

describe("a hostile bus: every consumer checks what it acts on", () => {
  let net: TestNetwork;
  let t: Topology;
  let nc: NatsConnection;
  /** Every dead letter published so far: the actor and the reason (its code first). */
  const letters: { actor: string; reason: string }[] = [];

  beforeAll(async () => {
    net = await startNetwork({ store: "pglite", auditorSet: true });
    t = topology(net.namespace);
    nc = await connect({ servers: net.natsUrl });
    const sub = nc.subscribe(t.subjects.deadLetterWildcard);
    void (async () => {
      for await (const m of sub) {
        const l = m.json<{ actor: string; reason: string }>();
        letters.push({ actor: l.actor, reason: l.reason });
      }
    })();
    await nc.flush();
  }, 120_000);
  afterAll(async () => {
    await nc?.close();
    await net?.stop();
  });

  const send = async (subject: string, message: object) => {
    nc.publish(subject, JSON.stringify(message));
    await nc.flush();
  };
  const signed = (message: object) => signBusMessage(net.busKey.signer, message);
  const letter = async (actor: string, code: string, about: string) => {
    await expect
      .poll(() => letters.some((l) => l.actor === actor && l.reason.startsWith(code) && l.reason.includes(about)), {
        timeout: 30_000,
        interval: 100,
      })
      .toBe(true);
  };
  const row = async (paymentId: string) =>
    (await net.db.query<Record<string, unknown>>("SELECT * FROM siq_payments WHERE payment_id = $1", [paymentId]))[0];
  const logSize = async () =>
    (await net.db.query<{ n: number }>("SELECT count(*)::int AS n FROM siq_log_entries"))[0]!.n;
  /** The network still works: a fresh payment is decided by every validator and settled. */
  const stillUp = async () => {
    const paid = await net.post(net.payment());
    expect(paid.body).toMatchObject({ decision: "approve", status: "settled" });
    expect((await net.get(`/v1/payments/${paid.body.payment_id}`)).body.verdicts).toHaveLength(4);
  };

  const task = (payment_id: string, over: Partial<EvaluationTask> = {}): EvaluationTask => {
    const payment = net.payment();
    return {
      type: "sentineliq.task.v1",
      payment_id,
      attempt: 1,
      tenant_id: "tenant-a",
      payment_digest: paymentDigest(payment_id, "tenant-a", payment),
      payment,
      submitted_at: new Date().toISOString(),
      deadline_at: new Date(Date.now() + 60_000).toISOString(),
      ...over,
    };
  };

  /** A payment the network challenged: still open, exactly what an attacker would like to turn into an approval. */
  let challenged: { payment_id: string; payment_digest: string; log_index: number };
  it("sets up: a payment running unaudited code is challenged, even after a forged registry value approves the code", async () => {
    // The registry value an attacker writes straight into the bucket, unsigned and signed by a key of their own.
    const bus = await connectJetStream(net.natsUrl);
    const kv = await bus.kv(t.buckets.audit);
    const forged = {
      type: "sentineliq.audit_state.v2",
      code_hash: UNAUDITED,
      state: "approved",
      log_index: 0,
      updated_at: new Date().toISOString(),
    };
    await kv.put(UNAUDITED, canonicalBytes(forged));
    await kv.put(UNAUDITED, canonicalBytes(signBusMessage(Signer.generate().signer, forged)));
    await bus.close();
    // Give the caches time to see both values (a task names the coordinator's revision, not the attacker's).
    await new Promise((r) => setTimeout(r, 1000));
    const res = await net.post(net.payment({ func_stack_hashes: [UNAUDITED] }));
    expect(res.status).toBe(200);
    expect(res.body.decision).toBe("challenge");
    expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain("UNAUDITED_CODE_PATH");
    challenged = { payment_id: res.body.payment_id, payment_digest: res.body.payment_digest, log_index: 0 };
    challenged.log_index = res.body.log_index;
    expect((await row(challenged.payment_id))!.status).toBe("challenged");
  });

  it("validators refuse an unsigned task and one signed by another key: no verdict, a dead letter each", async () => {
    const id = "pay_forged_unsigned";
    const verdicts: string[] = [];
    const sub = nc.subscribe(t.subjects.verdictWildcard);
    void (async () => {
      for await (const m of sub) if (m.string().includes("pay_forged_")) verdicts.push(m.subject);
    })();
    await send(t.subjects.evaluate, task(id));
    await send(t.subjects.evaluate, signBusMessage(Signer.generate().signer, task(`${id}_2`)));
    for (const v of ["v1", "v2", "v3", "v4"]) await letter(`validator-${v}`, "BAD_BUS_SIGNATURE", "coordinator");
    expect(letters.filter((l) => l.actor === "validator-v1" && l.reason.startsWith("BAD_BUS")).length).toBe(2);
    sub.unsubscribe();
    expect(verdicts).toEqual([]);
  });

  it("validators recompute payment_digest: a task with the bus key but an invented digest is never signed", async () => {
    const verdicts: string[] = [];
    const sub = nc.subscribe(t.subjects.verdictWildcard);
    void (async () => {
      for await (const m of sub) if (m.string().includes("pay_forged_digest")) verdicts.push(m.subject);
    })();
    await send(t.subjects.evaluate, signed(task("pay_forged_digest", { payment_digest: "f".repeat(64) })));
    for (const v of ["v1", "v2", "v3", "v4"]) await letter(`validator-${v}`, "TASK_DIGEST_MISMATCH", "payment_digest");
    await new Promise((r) => setTimeout(r, 300));
    sub.unsubscribe();
    expect(verdicts).toEqual([]);
  });

  const order = (payment_id: string, over: Partial<SettlementOrder> = {}): SettlementOrder => ({
    type: "sentineliq.settle.v1",
    payment_id,
    tenant_id: "tenant-a",
    payment_digest: "e".repeat(64),
    sender: net.payment().sender,
    receiver: net.payment().receiver,
    amount: "25000",
    currency: "USDC",
    debug_mode: true,
    approved_at: new Date().toISOString(),
    ...over,
  });

  it("the settler refuses an unsigned order, an order for no stored payment, and one for a challenged payment", async () => {
    await send(t.subjects.settle, order("pay_does_not_exist_1"));
    await letter("settler", "BAD_BUS_SIGNATURE", "coordinator");
    await send(t.subjects.settle, signed(order("pay_does_not_exist_2")));
    await letter("settler", "UNKNOWN_PAYMENT", "pay_does_not_exist_2");
    await send(t.subjects.settle, signed(order(challenged.payment_id, { payment_digest: challenged.payment_digest })));
    await letter("settler", "PAYMENT_NOT_APPROVED", `${challenged.payment_id} is challenged`);
    const settlements = await net.db.query("SELECT 1 FROM siq_settlements WHERE payment_id = ANY($1::text[])", [
      ["pay_does_not_exist_1", "pay_does_not_exist_2", challenged.payment_id],
    ]);
    expect(settlements).toEqual([]);
    expect((await row(challenged.payment_id))!.status).toBe("challenged");
  });

  /** An approval of the challenged payment at `attempt`, its verdicts signed by `signers` (the real keys unless given). */
  const forgedApproval = async (attempt: number, signerOf = (id: string) => net.keys.get(id)!.signer) => {
    const [logged] = await net.db.query<{ entry: Buffer }>("SELECT entry FROM siq_log_entries WHERE idx = $1", [
      challenged.log_index,
    ]);
    const real = QuorumDecision.parse(JSON.parse(logged!.entry.toString("utf8")));
    const verdicts = ["v1", "v2", "v3", "v4"].map((id) => {
      const v: Verdict = {
        type: "sentineliq.verdict.v1",
        payment_id: challenged.payment_id,
        attempt,
        payment_digest: challenged.payment_digest,
        validator_id: id,
        risk_level: "LOW",
        score: 0,
        reasons: [],
        rule_pack: "0".repeat(64),
        evaluated_at: new Date().toISOString(),
      };
      return signVerdict(signerOf(id), v);
    });
    const result = decideQuorum(real.policy, verdicts, true)!;
    const decision: QuorumDecision = {
      ...real,
      attempt,
      outcome: result.outcome,
      decision: result.decision,
      risk_level: result.risk_level,
      score: result.score,
      reasons: result.reasons,
      dissent: result.dissent,
      verdicts,
      absent: [],
      rejected: [],
      equivocations: [],
    };
    const append: LogAppend = {
      type: "sentineliq.log_append.v2",
      key: decisionKey(challenged.payment_id, attempt),
      entry: Buffer.from(canonicalBytes(decision)).toString("base64"),
      payment: {
        payment_id: challenged.payment_id,
        status: "approved",
        risk_level: "LOW",
        decision: "approve",
        reasons: [],
        settlement: null,
        decided_at: new Date().toISOString(),
      },
    };
    return append;
  };

  it("the sequencer refuses a forged approval: unsigned, with forged verdicts, and (all keys leaked) by the state guard", async () => {
    const before = await logSize();
    const stranger = Signer.generate().signer;
    // The attack from the issue: an unsigned log append turning the challenged payment into an approval.
    await send(t.subjects.logAppend, await forgedApproval(2));
    await letter("log-sequencer", "BAD_BUS_SIGNATURE", "coordinator");
    // With the coordinator's bus key, but verdicts no validator signed.
    await send(t.subjects.logAppend, signed(await forgedApproval(2, () => stranger)));
    await letter("log-sequencer", "DECISION_UNVERIFIED", "BAD_VERDICT");
    // Every key leaked: a decision that verifies, for an attempt the payment is not evaluating.
    await send(t.subjects.logAppend, signed(await forgedApproval(2)));
    await letter("log-sequencer", "STATE_GUARD", challenged.payment_id);
    expect(await logSize()).toBe(before);
    expect(await row(challenged.payment_id)).toMatchObject({ status: "challenged", attempt: 1, decision: "challenge" });
  });

  describe("audit approvals carry the auditor's own signature", () => {
    const source = "function payInvoice(id) { return id; }";
    const hash = sha256Hex(source);
    const state = async () =>
      (await net.get(`/v1/audit/code/${hash}`, net.auditorKey)).body.state as string | undefined;
    const statement = (signer: Signer, auditor_id = "auditor-1") =>
      signAuditStatement(signer, {
        type: "sentineliq.audit_statement.v1",
        code_hash: hash,
        action: "approve",
        auditor_id,
        signed_at: new Date().toISOString(),
      });

    it("the API refuses an approval without a signature of the auditor set, whoever's API key carries it", async () => {
      const sub = await net.request("POST", "/v1/audit/code", { code_hash: hash, name: "payInvoice", source });
      expect(sub.status).toBe(200);
      const bare = await net.request("POST", `/v1/audit/code/${hash}/approve`, {}, net.auditorKey);
      expect(bare.status).toBe(403);
      expect(bare.body.error_details.code).toBe("FORBIDDEN");
      const mallory = Signer.generate().signer;
      for (const signed of [statement(mallory), statement(mallory, "mallory")]) {
        const res = await net.request("POST", `/v1/audit/code/${hash}/approve`, { signed }, net.auditorKey);
        expect(res.status).toBe(403);
      }
      expect(await state()).toBe("pending");
    });

    it("the sequencer refuses an approval entry no auditor signed, even with the coordinator's bus key", async () => {
      const entry = {
        type: "sentineliq.audit.v1",
        code_hash: hash,
        name: "payInvoice",
        action: "approve",
        from: "pending",
        to: "approved",
        actor: { role: "auditor", id: "mallory" },
        at: new Date().toISOString(),
      };
      const append: LogAppend = {
        type: "sentineliq.log_append.v2",
        key: `audit:${hash}:approve`,
        entry: Buffer.from(canonicalBytes(entry)).toString("base64"),
      };
      await send(t.subjects.logAppend, signed(append));
      await letter("log-sequencer", "AUDIT_UNSIGNED", "carries no auditor's signature");
      expect(await state()).toBe("pending");
    });

    it("`sentineliq audit approve --signing-key` signs it; the log carries the statement and `log verify` checks it", async () => {
      const cli = (args: string[]) =>
        run(process.execPath, [BIN, ...args], {
          env: { ...process.env, SENTINELIQ_URL: net.url, SENTINELIQ_AUDITOR_KEY: net.auditorKey },
        });
      const approved = await cli(["audit", "approve", hash, "--signing-key", net.auditorSigningKeyFile, "--json"]);
      const record = JSON.parse(approved.stdout);
      expect(record.state).toBe("approved");
      const [logged] = await net.db.query<{ entry: Buffer }>("SELECT entry FROM siq_log_entries WHERE idx = $1", [
        record.log_index,
      ]);
      const entry = JSON.parse(logged!.entry.toString("utf8"));
      expect(entry).toMatchObject({
        action: "approve",
        actor: { id: "auditor-1" },
        signed: { statement: { code_hash: hash } },
      });
      const verified = await cli([
        "log",
        "verify",
        "--url",
        net.url,
        "--vkey",
        net.vkey,
        "--network",
        join(net.dir, "network.json"),
        "--state",
        join(net.dir, "auditor-state"),
        "--key",
        net.auditorKey,
      ]);
      expect(verified.stdout).toMatch(/✓ \d+ entries verified/);
    });
  });

  it("every actor is still running: a payment made after all of it is decided by all four and settled", async () => {
    await stillUp();
    const metrics = await (await fetch(`${net.url}/metrics`)).text();
    expect(metrics).toMatch(/siq_dead_letters_total\{actor="log-sequencer"\} [3-9]/);
    expect(metrics).toMatch(/siq_dead_letters_total\{actor="settler"\} [3-9]/);
    expect(metrics).toMatch(/siq_dead_letters_total\{actor="validator-v1"\} [3-9]/);
  });
});
