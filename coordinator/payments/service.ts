/**
 * Payment submission: idempotent by (tenant, agent, idempotency key), then
 * published as an evaluation task; the caller is answered once the quorum
 * decision is logged (or, at worst, with the payment still pending).
 */
import type { Bus } from "../../lib/bus/index.ts";
import { newId } from "../../lib/ids.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  canonicalBytes,
  paymentDigest,
  paymentFacts,
  sha256Hex,
  SiqError,
  signBusMessage,
  type Signer,
  type EvaluationTask,
  type PaymentRequest,
  type PaymentStatus,
  type PaymentView,
  policyFor,
  rejectionDetails,
  type ChallengeResponseRequest,
  type QuorumDecision,
  type QuorumPolicy,
  type QuorumResult,
  type SignedVerdict,
  type Topology,
  type ValidatorSet,
} from "../../protocol/index.ts";
import type { LogStore, LogSequencer } from "../log/index.ts";
import type { Metrics } from "../metrics.ts";
import { decisionRecord, prescreen, type PrescreenConfig, type Reputation } from "../quorum/index.ts";
import type { Aggregator, Evaluation, Observed } from "../quorum/index.ts";
import { orderFor, type SettlementHandoff } from "../settlement/index.ts";
import { toView, type PaymentRow, type PaymentStore } from "../store/index.ts";
import type { ChallengeService } from "../challenges/index.ts";
import { reused } from "./errors.ts";
import { currentRequestId } from "../../lib/request-scope.ts";

export interface PaymentServiceComponents {
  store: PaymentStore;
  bus: Bus;
  topology: Topology;
  sequencer: LogSequencer;
  logReader: LogStore;
  validatorSet: ValidatorSet;
  failClosed: "challenge" | "reject";
  reputation: Reputation;
  challenges: ChallengeService;
  prescreen: PrescreenConfig;
  deadlineMs: number;
  logger: Logger;
  metrics: Metrics | null;
  /** The audit registry's bus revision; tasks carry it so validators score with at least that state. */
  auditRevision?: () => number;
  /** Signs each task: validators refuse one that does not verify against its public key. */
  busSigner: Signer;
  /** Approved payments go to the settler through it; the answer waits for the outcome, up to a limit. */
  settlement: SettlementHandoff | null;
}

const FINAL: ReadonlySet<PaymentStatus> = new Set(["approved", "rejected", "settled", "failed", "challenged"]);
const encoder = new TextEncoder();
/** Longer than the aggregator's ack wait, so verdicts cast before a crash are redelivered in time. */
const RECOVERY_DEADLINE_MS = 15_000;

export class PaymentService {
  readonly #c: PaymentServiceComponents;
  #aggregator: Aggregator | undefined;
  readonly #inflight = new Map<string, { hash: string; promise: Promise<PaymentView> }>();
  readonly #rows = new Map<string, PaymentRow>();
  readonly #tasks = new Map<string, EvaluationTask>();
  readonly #waiters = new Map<string, ((v: PaymentView) => void)[]>();

  constructor(c: PaymentServiceComponents) {
    this.#c = c;
  }

  attach(aggregator: Aggregator): void {
    this.#aggregator = aggregator;
  }

  submit(tenantId: string, req: PaymentRequest): Promise<PaymentView> {
    const hash = sha256Hex(canonicalBytes(req));
    const key = `${tenantId}\n${req.agent_id}\n${req.idempotency_key}`;
    const running = this.#inflight.get(key);
    if (running) {
      if (running.hash !== hash) throw reused(req);
      return running.promise;
    }
    const promise = this.#submitNew(tenantId, req, hash).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, { hash, promise });
    return promise;
  }

  async get(tenantId: string, paymentId: string): Promise<PaymentView> {
    const row = await this.#c.store.get(tenantId, paymentId);
    // Another tenant's payment is indistinguishable from a missing one.
    if (!row) throw new SiqError("NOT_FOUND", `no payment ${paymentId}`);
    const entries = await this.#c.logReader.forPayment(paymentId);
    const verdicts = entries.flatMap((e) => {
      const d = JSON.parse(Buffer.from(e.entry).toString("utf8")) as QuorumDecision;
      if (d.type !== "sentineliq.decision.v1") return [];
      return d.verdicts.map((v) => ({ log_index: e.index, attempt: d.attempt, ...v }));
    });
    return toView(row, verdicts);
  }

  /** An agent's answer to a challenge (`check` refuses an agent the key may not act for): the next attempt. */
  async respond(tenantId: string, paymentId: string, body: ChallengeResponseRequest, check = (_agent: string) => {}) {
    const row = await this.#c.store.get(tenantId, paymentId);
    if (!row) throw new SiqError("NOT_FOUND", `no payment ${paymentId}`);
    check(row.request.agent_id);
    return this.next(await this.#c.challenges.answer(row, body, new Date()));
  }

  /** Evaluates the next attempt of a payment whose challenge was answered or approved; answers once decided. */
  async next(row: PaymentRow): Promise<PaymentView> {
    const answer = this.#wait(row, this.#c.deadlineMs + 2000);
    await this.#evaluate(row);
    return answer;
  }

  /** Re-opens evaluations left unfinished by a previous run (their tasks are re-published). */
  async recover(): Promise<number> {
    const rows = await this.#c.store.unfinished();
    for (const row of rows) await this.#evaluate(row, true);
    return rows.length;
  }

  async #submitNew(tenantId: string, req: PaymentRequest, hash: string): Promise<PaymentView> {
    const paymentId = newId("pay");
    const row = await this.#c.store.insertOrGet({
      payment_id: paymentId,
      tenant_id: tenantId,
      request: req,
      request_hash: hash,
      payment_digest: paymentDigest(paymentId, tenantId, req),
      created_at: new Date().toISOString(),
    });
    if (row.payment_id !== paymentId) {
      if (row.request_hash !== hash) throw reused(req);
      if (FINAL.has(row.status)) return toView(row);
      return this.#wait(row, this.#c.deadlineMs + 2000);
    }
    const answer = this.#wait(row, this.#c.deadlineMs + 2000);
    try {
      await this.#evaluate(row);
    } catch (err) {
      // Never reached the validators: forget it entirely, so a retry with the same key starts afresh.
      this.#aggregator!.forget(paymentId);
      this.#rows.delete(paymentId);
      this.#waiters.delete(paymentId);
      await this.#c.store.delete(paymentId);
      throw err;
    }
    return answer;
  }

  /**
   * Registers the evaluation and publishes its task. On recovery the task usually is on the bus already
   * (the same message id is then dropped) and the verdicts already cast come back when their ack wait
   * runs out, so the deadline is longer and verdicts since the payment's creation are fresh.
   */
  async #evaluate(row: PaymentRow, recovering = false): Promise<void> {
    const now = Date.now();
    const set = this.#c.validatorSet;
    const tier = prescreen(row.request, row.attempt, this.#c.prescreen);
    this.#c.metrics?.tiersTotal.inc({ tier });
    const committee = set.tiers[tier];
    const members = committee
      ? set.validators.filter((v) => v.committees.includes(committee)).map((v) => v.id)
      : undefined;
    const policy = {
      ...policyFor(set, this.#c.failClosed, { weights: this.#c.reputation.weights(), ...(members ? { members } : {}) }),
      tier,
    };
    const task: EvaluationTask = {
      type: "sentineliq.task.v1",
      payment_id: row.payment_id,
      attempt: row.attempt,
      tenant_id: row.tenant_id,
      payment_digest: row.payment_digest,
      payment: row.request,
      submitted_at: new Date(now).toISOString(),
      deadline_at: new Date(now + this.#c.deadlineMs).toISOString(),
    };
    const auditRevision = this.#c.auditRevision?.();
    if (auditRevision) task.audit_revision = auditRevision;
    if (members) task.members = members;
    if (row.attempt > 1 && row.challenge && row.evidence) {
      task.challenge = {
        challenge_id: row.challenge.challenge_id,
        kind: row.challenge.kind,
        nonce: row.challenge.nonce,
      };
      task.evidence = row.evidence;
    }
    this.#rows.set(row.payment_id, row);
    this.#tasks.set(row.payment_id, task);
    const e: Evaluation = {
      payment_id: row.payment_id,
      digest: row.payment_digest,
      attempt: row.attempt,
      policy,
      startedAt: performance.now(),
      startedAtMs: recovering ? new Date(row.created_at).getTime() : now,
      facts: paymentFacts(row.request),
      ...(task.evidence ? { evidenceDigest: sha256Hex(canonicalBytes(task.evidence)) } : {}),
    };
    this.#aggregator!.register(e, recovering ? Math.max(this.#c.deadlineMs, RECOVERY_DEADLINE_MS) : this.#c.deadlineMs);
    try {
      await this.#publishTask(task, `${row.payment_id}:${row.attempt}`);
    } catch (cause) {
      throw new SiqError(
        "BUS_UNAVAILABLE",
        "the validator network could not be reached; retry with the same idempotency_key",
        { cause },
      );
    }
  }

  /** Called by the aggregator when a committee could not approve: ask the rest of the set. */
  readonly onEscalate = (e: Evaluation): QuorumPolicy => {
    const set = this.#c.validatorSet;
    const full = {
      ...policyFor(set, this.#c.failClosed, { weights: this.#c.reputation.weights() }),
      ...(e.policy.tier ? { tier: e.policy.tier } : {}),
    };
    const task = this.#tasks.get(e.payment_id);
    if (task) {
      const rest = full.members.filter((m) => !e.policy.members.includes(m));
      const extended: EvaluationTask = {
        ...task,
        members: rest,
        deadline_at: new Date(Date.now() + this.#c.deadlineMs).toISOString(),
      };
      this.#publishTask(extended, `${e.payment_id}:${e.attempt}:all`).catch((err: Error) =>
        this.#c.logger.warn(
          { payment_id: e.payment_id, err: err.message },
          "escalating to the whole set failed; the deadline will fail it closed",
        ),
      );
    }
    return full;
  };

  /** Called by the aggregator when a validator contradicts a verdict it gave on a decided payment. */
  readonly onLateEquivocation = async (
    validatorId: string,
    verdicts: [SignedVerdict, SignedVerdict],
  ): Promise<void> => {
    this.#c.reputation.flag(validatorId, "equivocation");
    await this.#c.sequencer.appendRecord({
      type: "sentineliq.equivocation.v1",
      payment_id: verdicts[0].verdict.payment_id,
      validator_id: validatorId,
      attempt: verdicts[0].verdict.attempt,
      verdicts,
      detected_at: new Date().toISOString(),
    });
  };

  /** Called by the aggregator with a quorum result: log, hand approvals to the settler, answer. */
  readonly onDecision = async (e: Evaluation, result: QuorumResult, observed: Observed): Promise<void> => {
    const row = this.#rows.get(e.payment_id);
    if (!row) return;
    const now = new Date();
    const decision: QuorumDecision = decisionRecord(e, result, observed, now);
    this.#c.reputation.record(result, observed);
    const approved = result.decision === "approve";
    const settlement = null;
    const status: PaymentStatus = approved ? "approved" : result.decision === "reject" ? "rejected" : "challenged";
    const error_details = status === "rejected" ? rejectionDetails(result.reasons, result.outcome) : null;
    const index = await this.#c.sequencer.append({ decision, status, settlement, error_details });
    let done: PaymentRow = {
      ...row,
      status,
      risk_level: result.risk_level,
      decision: result.decision,
      reasons: result.reasons,
      settlement,
      error_details,
      log_index: index,
      decided_at: now,
    };
    if (status === "challenged") {
      const challenge = await this.#c.challenges.open(done, result, now);
      done = challenge
        ? { ...done, challenge }
        : {
            ...done,
            status: "rejected",
            decision: "reject",
            error_details: {
              code: "CHALLENGE_ATTEMPTS_EXHAUSTED",
              message: `still risky after ${row.attempt} attempts`,
            },
          };
    }
    this.#rows.delete(e.payment_id);
    this.#tasks.delete(e.payment_id);
    this.#c.metrics?.paymentsTotal.inc({ status: done.status, risk_level: result.risk_level });
    this.#c.metrics?.decisionSeconds.observe((performance.now() - e.startedAt) / 1000);
    this.#c.metrics?.logEntries.set(this.#c.sequencer.size);
    const view = toView(done);
    // The answer carries the settlement when it finishes before the caller's wait runs out.
    const answer =
      approved && this.#c.settlement
        ? this.#c.settlement.handOff(orderFor(done, now), view, e.startedAtMs + this.#c.deadlineMs + 1500)
        : Promise.resolve(view);
    void answer.then((v) => {
      for (const w of this.#waiters.get(e.payment_id) ?? []) w(v);
      this.#waiters.delete(e.payment_id);
    });
  };

  /** A task on the bus, signed with the coordinator's bus key (validators refuse one that is not). */
  #publishTask(task: EvaluationTask, msgId: string) {
    const bytes = encoder.encode(JSON.stringify(signBusMessage(this.#c.busSigner, task)));
    // The HTTP request's id rides in a header beside the signed task, for the validators' log lines.
    return this.#c.bus.publish(this.#c.topology.subjects.evaluate, bytes, { msgId, requestId: currentRequestId() });
  }

  #wait(row: PaymentRow, timeoutMs: number): Promise<PaymentView> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ...toView(row), status: "pending" }), timeoutMs);
      const list = this.#waiters.get(row.payment_id) ?? [];
      list.push((v) => {
        clearTimeout(timer);
        resolve(v);
      });
      this.#waiters.set(row.payment_id, list);
    });
  }
}
