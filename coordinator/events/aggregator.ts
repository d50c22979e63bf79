/**
 * The event aggregator actor: its mailbox is the event-verdict subjects of the
 * verdicts stream. Event verdicts pass the payments' own collector
 * (`quorum/collector.ts`): known key, own subject, a member asked to vote,
 * bound to the event digest, fresh, no duplicate, signature, and a second
 * different verdict is an equivocation (both kept, neither counted). Each
 * result is counted in `siq_event_verdicts_total`. Validators excluded for
 * equivocation do not count here either. When the quorum rule yields a
 * result (or the deadline passes) it hands the result on, and acks the
 * verdicts only once that result is recorded.
 */
import { drain, openQuarantine, type Bus, type Delivery, type Draining, type Quarantine } from "../../lib/bus/index.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  decideEventQuorum,
  SignedEventVerdict,
  Verifier,
  verifyEventVerdict,
  type EventQuorumResult,
  type QuorumPolicy,
  type Topology,
  type ValidatorSet,
} from "../../protocol/index.ts";
import type { Metrics } from "../metrics.ts";
import { collect, Tally, type VoteKind } from "../quorum/index.ts";

export interface PendingEvent {
  event_ref: string;
  digest: string;
  /** When the task went out (ms), or the event was received (on recovery): verdicts before it are stale. */
  startedAtMs: number;
}

export type EventDecisionHandler = (
  e: PendingEvent,
  result: EventQuorumResult,
  verdicts: SignedEventVerdict[],
  policy: QuorumPolicy,
) => Promise<void>;

interface Pending {
  e: PendingEvent;
  tally: Tally<SignedEventVerdict>;
  deliveries: Delivery[];
  timer: NodeJS.Timeout | undefined;
  deciding: boolean;
}

export interface EventAggregatorComponents {
  bus: Bus;
  topology: Topology;
  validatorSet: ValidatorSet;
  policy: QuorumPolicy;
  deadlineMs: number;
  logger: Logger;
  metrics?: Metrics | null;
  onDecision: EventDecisionHandler;
  /** The validators excluded for equivocation now (the payments' exclusions). */
  exclusions?: () => { excluded: string[]; exclusion_epoch: number };
}

export class EventAggregator {
  readonly #c: EventAggregatorComponents;
  readonly #validators: Map<string, Verifier>;
  readonly #members: Set<string>;
  readonly #pending = new Map<string, Pending>();
  #reading: Draining | undefined;
  #quarantine: Quarantine | undefined;

  constructor(c: EventAggregatorComponents) {
    this.#c = c;
    this.#validators = new Map(
      c.validatorSet.validators.map((v) => [v.id, new Verifier(Buffer.from(v.public_key, "hex"))]),
    );
    this.#members = new Set(c.policy.members);
  }

  async start(): Promise<void> {
    const t = this.#c.topology;
    const mailbox = await this.#c.bus.mailbox({
      stream: t.streams.verdicts.name,
      durable: t.consumers.eventAggregator,
      filterSubject: t.subjects.eventVerdictWildcard,
      startTime: new Date(Date.now() - 60_000),
      ackWaitMs: 10_000,
      maxAckPending: 50_000,
    });
    const quarantine = await openQuarantine({ ...this.#c, actor: t.consumers.eventAggregator });
    this.#quarantine = quarantine;
    this.#reading = drain(mailbox, (d) => this.#receive(d), quarantine);
  }

  async stop(): Promise<void> {
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    await this.#reading?.stop();
  }

  register(e: PendingEvent): void {
    if (this.#pending.has(e.event_ref)) return;
    const p: Pending = { e, tally: new Tally(), deliveries: [], timer: undefined, deciding: false };
    p.timer = setTimeout(() => this.#decide(p, true), this.#c.deadlineMs);
    this.#pending.set(e.event_ref, p);
  }

  #receive(d: Delivery): void {
    const count = (validator: string, result: string) => this.#c.metrics?.eventVerdictsTotal.inc({ validator, result });
    let signed: SignedEventVerdict;
    try {
      signed = SignedEventVerdict.parse(JSON.parse(Buffer.from(d.data).toString("utf8")));
    } catch (err) {
      count("unknown", "MALFORMED");
      this.#quarantine?.reject(d, `malformed event verdict: ${(err as Error).message}`);
      return;
    }
    const v = signed.verdict;
    const p = this.#pending.get(v.event_ref);
    if (!p || p.deciding) {
      count(v.validator_id, "LATE");
      return d.ack();
    }
    const kind: VoteKind<SignedEventVerdict> = {
      subjectFor: this.#c.topology.subjects.eventVerdict,
      verify: verifyEventVerdict,
      binding: (s) =>
        s.verdict.event_digest !== p.e.digest ? { code: "WRONG_DIGEST", validator_id: v.validator_id } : null,
    };
    const ballot = { members: this.#members, startedAtMs: p.e.startedAtMs, seen: p.tally.votes };
    const check = collect(this.#validators, kind, d.subject, signed, ballot, Date.now());
    const result = p.tally.apply(signed, check);
    count(v.validator_id, result);
    if (check.ok === false) {
      if (result !== "DUPLICATE")
        this.#c.logger.warn({ event_ref: v.event_ref, ...check.rejection }, "event verdict refused");
      return d.ack();
    }
    if (check.ok === "equivocation")
      this.#c.logger.warn(
        { event_ref: v.event_ref, validator_id: v.validator_id },
        "validator equivocated on an event",
      );
    p.deliveries.push(d);
    const excluded = new Set(this.#c.exclusions?.().excluded ?? []);
    this.#decide(
      p,
      [...this.#members].every((m) => p.tally.spoken().has(m) || excluded.has(m)),
    );
  }

  #decide(p: Pending, final: boolean): void {
    if (p.deciding) return;
    const policy = { ...this.#c.policy, ...this.#c.exclusions?.() };
    const out = new Set(policy.excluded ?? []);
    const all = [...p.tally.votes.values()]
      .filter((v) => !out.has(v.verdict.validator_id))
      .sort((a, b) => (a.verdict.validator_id < b.verdict.validator_id ? -1 : 1));
    const result = decideEventQuorum(policy, all, final);
    if (!result) return;
    p.deciding = true;
    clearTimeout(p.timer);
    const attempt = async (): Promise<void> => {
      try {
        await this.#c.onDecision(p.e, result, all, policy);
        this.#pending.delete(p.e.event_ref);
        for (const d of p.deliveries) d.ack();
      } catch (err) {
        this.#c.logger.error(
          { event_ref: p.e.event_ref, err: (err as Error).message },
          "recording event decision failed; retrying",
        );
        setTimeout(() => void attempt(), 1000).unref();
      }
    };
    void attempt();
  }
}
