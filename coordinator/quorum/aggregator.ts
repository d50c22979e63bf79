/**
 * The aggregator actor. Its mailbox is the verdicts stream. Per evaluation it
 * keeps the verified verdicts, the refused ones and any equivocation; it asks
 * the quorum rule after every verdict, after a grace period once 2f+1 are in,
 * and at the hard deadline, and acks the verdicts only once the decision is
 * recorded.
 */
import { drain, openQuarantine, type Bus, type Delivery, type Draining, type Quarantine } from "../../lib/bus/index.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  canonicalString,
  decideQuorum,
  SignedVerdict,
  Verifier,
  verifyVerdict,
  type QuorumPolicy,
  type QuorumResult,
  type Topology,
  type ValidatorSet,
  type VerdictRejectionCode,
  type VerdictResultCode,
} from "../../protocol/index.ts";
import type { Metrics } from "../metrics.ts";
import { checkVerdict } from "./check.ts";
import { Tally } from "./collector.ts";

export interface Evaluation {
  payment_id: string;
  digest: string;
  attempt: number;
  policy: QuorumPolicy;
  /** performance.now() when the task went out, for latency. */
  startedAt: number;
  /** Date.now() when the task went out, for freshness. */
  startedAtMs: number;
  /** The payment as rules see it, to check evidence against. */
  facts?: Record<string, unknown>;
  /** For a re-evaluation after a challenge: the digest of the evidence verdicts must have judged. */
  evidenceDigest?: string;
}

export interface Observed {
  verdicts: SignedVerdict[];
  absent: string[];
  rejected: { validator_id: string; code: VerdictRejectionCode }[];
  equivocations: { validator_id: string; verdicts: [SignedVerdict, SignedVerdict] }[];
  /** Verdicts of validators excluded when the decision was taken: logged, not counted. */
  excludedVerdicts: SignedVerdict[];
  /** Milliseconds from task to verdict, per validator. */
  latencies: Map<string, number>;
}

export type DecisionHandler = (e: Evaluation, result: QuorumResult, observed: Observed) => Promise<void>;

interface Pending {
  e: Evaluation;
  members: Set<string>;
  tally: Tally<SignedVerdict>;
  observed: Observed;
  deliveries: Delivery[];
  timers: NodeJS.Timeout[];
  graceStarted: boolean;
  deciding: boolean;
}

export interface AggregatorComponents {
  bus: Bus;
  topology: Topology;
  validatorSet: ValidatorSet;
  deadlineMs: number;
  graceMs: number;
  logger: Logger;
  metrics: Metrics | null;
  onDecision: DecisionHandler;
  /** A committee could not approve: publish the task to the rest of the set and return the full policy. */
  onEscalate?: (e: Evaluation) => QuorumPolicy;
  /** An equivocation caught after the decision: the evidence goes to the log on its own. */
  onLateEquivocation?: (validatorId: string, verdicts: [SignedVerdict, SignedVerdict]) => Promise<void>;
  /** The validators excluded for equivocation now; every decision is taken, and recorded, under the latest set. */
  exclusions?: () => { excluded: string[]; exclusion_epoch: number };
}

export class Aggregator {
  readonly #c: AggregatorComponents;
  readonly #validators: Map<string, Verifier>;
  readonly #pending = new Map<string, Pending>();
  /** The verdicts of recently decided payments: seen again, a verdict is a replay; different, an equivocation. */
  readonly #decided = new Map<string, { attempt: number; verdicts: Map<string, SignedVerdict> }>();
  #reading: Draining | undefined;
  #quarantine: Quarantine | undefined;

  constructor(c: AggregatorComponents) {
    this.#c = c;
    this.#validators = new Map(
      c.validatorSet.validators.map((v) => [v.id, new Verifier(Buffer.from(v.public_key, "hex"))]),
    );
  }

  async start(): Promise<void> {
    const t = this.#c.topology;
    const mailbox = await this.#c.bus.mailbox({
      stream: t.streams.verdicts.name,
      durable: t.consumers.aggregator,
      filterSubject: t.subjects.verdictWildcard,
      startTime: new Date(Date.now() - 60_000),
      ackWaitMs: 10_000,
      maxAckPending: 50_000,
    });
    const quarantine = await openQuarantine({ ...this.#c, actor: t.consumers.aggregator });
    this.#quarantine = quarantine;
    this.#reading = drain(mailbox, (d) => this.#receive(d), quarantine);
  }

  async stop(): Promise<void> {
    for (const p of this.#pending.values()) p.timers.forEach(clearTimeout);
    await this.#reading?.stop();
  }

  /** Starts collecting verdicts for an evaluation; the deadline clock starts now. */
  register(e: Evaluation, deadlineMs = this.#c.deadlineMs): void {
    const old = this.#pending.get(e.payment_id);
    if (old && old.e.attempt >= e.attempt) return;
    if (old) old.timers.forEach(clearTimeout);
    const tally = new Tally<SignedVerdict>();
    const p: Pending = {
      e,
      members: new Set(e.policy.members),
      tally,
      observed: {
        verdicts: [],
        absent: [],
        rejected: tally.rejected,
        equivocations: tally.equivocations,
        excludedVerdicts: [],
        latencies: new Map(),
      },
      deliveries: [],
      timers: [],
      graceStarted: false,
      deciding: false,
    };
    p.timers.push(setTimeout(() => this.#decide(p, true), deadlineMs));
    this.#pending.set(e.payment_id, p);
    // With too few trusted validators left, the decision (fail closed) needs no vote.
    this.#decide(p, false);
  }

  forget(paymentId: string): void {
    const p = this.#pending.get(paymentId);
    if (p && !p.deciding) {
      p.timers.forEach(clearTimeout);
      this.#pending.delete(paymentId);
    }
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  #receive(d: Delivery): void {
    const count = (validator: string, result: VerdictResultCode) =>
      this.#c.metrics?.verdictsTotal.inc({ validator, result });
    let signed: SignedVerdict;
    try {
      signed = SignedVerdict.parse(JSON.parse(Buffer.from(d.data).toString("utf8")));
    } catch (err) {
      count("unknown", "MALFORMED");
      this.#quarantine?.reject(d, `malformed verdict: ${(err as Error).message}`);
      return;
    }
    const id = signed.verdict.validator_id;
    const p = this.#pending.get(signed.verdict.payment_id);
    if (!p || p.deciding) {
      count(id, this.#afterDecision(signed, d));
      d.ack();
      return;
    }
    const check = checkVerdict(
      this.#validators,
      this.#c.topology.subjects.verdict,
      d.subject,
      signed,
      {
        digest: p.e.digest,
        attempt: p.e.attempt,
        members: p.members,
        startedAtMs: p.e.startedAtMs,
        seen: p.tally.votes,
        ...(p.e.facts ? { facts: p.e.facts } : {}),
        ...(p.e.evidenceDigest ? { evidenceDigest: p.e.evidenceDigest } : {}),
      },
      Date.now(),
    );
    const result = p.tally.apply(signed, check);
    count(check.ok === false ? check.rejection.validator_id : id, result);
    if (check.ok === false) {
      d.ack();
      if (result === "DUPLICATE") return;
      this.#c.logger.warn({ payment_id: p.e.payment_id, ...check.rejection }, "verdict refused");
    } else {
      p.deliveries.push(d);
      if (check.ok === "equivocation")
        this.#c.logger.warn({ payment_id: p.e.payment_id, validator_id: id }, "validator equivocated");
      else p.observed.latencies.set(id, performance.now() - p.e.startedAt);
    }
    this.#afterVote(p);
  }

  /** A verdict for a payment already decided: late, a replay, or a second opinion (an equivocation). */
  #afterDecision(signed: SignedVerdict, d: Delivery): VerdictResultCode {
    const done = this.#decided.get(signed.verdict.payment_id);
    const first = done?.attempt === signed.verdict.attempt ? done.verdicts.get(signed.verdict.validator_id) : undefined;
    if (!first) return done ? "REPLAYED" : "LATE";
    if (canonicalString(first.verdict) === canonicalString(signed.verdict))
      return d.deliveryCount > 1 ? "REDELIVERED" : "REPLAYED";
    const verifier = this.#validators.get(signed.verdict.validator_id);
    if (!verifier || !verifyVerdict(verifier, signed)) return "BAD_SIGNATURE";
    this.#c
      .onLateEquivocation?.(signed.verdict.validator_id, [first, signed])
      ?.catch((err: Error) =>
        this.#c.logger.error(
          { validator_id: signed.verdict.validator_id, err: err.message },
          "equivocation not logged",
        ),
      );
    return "EQUIVOCATION";
  }

  /**
   * Decide once every member has spoken (voted, been refused, or equivocated), so that misbehaviour
   * is on record; or after the grace period once 2f+1 verdicts are in; or at the hard deadline.
   */
  #afterVote(p: Pending): void {
    // Excluded members are waited for like the others (their verdicts are logged), never counted.
    const spoken = p.tally.spoken();
    if ([...p.members].every((m) => spoken.has(m))) return this.#decide(p, true);
    if (!p.graceStarted && p.tally.votes.size >= Math.min(2 * p.e.policy.f + 1, p.members.size)) {
      p.graceStarted = true;
      p.timers.push(setTimeout(() => this.#decide(p, true), this.#c.graceMs));
    }
  }

  #decide(p: Pending, final: boolean): void {
    if (p.deciding) return;
    if (this.#c.exclusions) p.e = { ...p.e, policy: { ...p.e.policy, ...this.#c.exclusions() } };
    const out = new Set(p.e.policy.excluded ?? []);
    const all = [...p.tally.votes.values()];
    const verdicts = all.filter((v) => !out.has(v.verdict.validator_id));
    const result: QuorumResult | null = decideQuorum(p.e.policy, verdicts, final);
    if (!result) return;
    const committee = p.e.policy.members.length < p.e.policy.n;
    if (result.decision !== "approve" && result.outcome !== "unsafe" && committee && this.#c.onEscalate) {
      // A committee (easy tier) approves only unanimously; anything else goes to the whole set,
      // its verdicts kept.
      const full = this.#c.onEscalate(p.e);
      p.timers.forEach(clearTimeout);
      p.timers = [setTimeout(() => this.#decide(p, true), this.#c.deadlineMs)];
      p.graceStarted = false;
      p.e = { ...p.e, policy: full };
      p.members = new Set(full.members);
      this.#c.metrics?.escalationsTotal.inc();
      return;
    }
    p.deciding = true;
    p.timers.forEach(clearTimeout);
    // From now on a verdict for this attempt is late, a replay or an equivocation.
    this.#decided.set(p.e.payment_id, { attempt: p.e.attempt, verdicts: new Map(p.tally.votes) });
    if (this.#decided.size > 20_000) this.#decided.delete(this.#decided.keys().next().value!);
    p.observed.verdicts = verdicts;
    p.observed.excludedVerdicts = all.filter((v) => out.has(v.verdict.validator_id));
    p.observed.absent = p.e.policy.members
      .filter((m) => !p.tally.votes.has(m) && !out.has(m) && !p.tally.equivocations.some((x) => x.validator_id === m))
      .sort();
    const attempt = async (): Promise<void> => {
      try {
        await this.#c.onDecision(p.e, result, p.observed);
        if (this.#pending.get(p.e.payment_id) === p) this.#pending.delete(p.e.payment_id);
        for (const d of p.deliveries) d.ack();
      } catch (err) {
        this.#c.logger.error(
          { payment_id: p.e.payment_id, err: (err as Error).message },
          "recording decision failed; retrying",
        );
        setTimeout(() => void attempt(), 1000).unref();
      }
    };
    void attempt();
  }
}
