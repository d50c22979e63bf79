/**
 * The event aggregator actor: its mailbox is the event-verdict subjects of the
 * verdicts stream. Per event under evaluation it keeps the verified verdicts;
 * when the quorum rule yields a result (or the deadline passes) it hands the
 * result on, and acks the verdicts only once that result is recorded.
 */
import { drain, type Draining, type Bus, type Delivery } from "../../lib/bus/index.ts";
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

export interface PendingEvent {
  event_ref: string;
  digest: string;
}

export type EventDecisionHandler = (
  e: PendingEvent,
  result: EventQuorumResult,
  verdicts: SignedEventVerdict[],
) => Promise<void>;

interface Pending {
  e: PendingEvent;
  verdicts: Map<string, SignedEventVerdict>;
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
  onDecision: EventDecisionHandler;
}

export class EventAggregator {
  readonly #c: EventAggregatorComponents;
  readonly #validators: Map<string, Verifier>;
  readonly #pending = new Map<string, Pending>();
  #reading: Draining | undefined;

  constructor(c: EventAggregatorComponents) {
    this.#c = c;
    this.#validators = new Map(
      c.validatorSet.validators.map((v) => [v.id, new Verifier(Buffer.from(v.public_key, "hex"))]),
    );
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
    this.#reading = drain(mailbox, (d) => this.#receive(d));
  }

  async stop(): Promise<void> {
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    await this.#reading?.stop();
  }

  register(e: PendingEvent): void {
    if (this.#pending.has(e.event_ref)) return;
    const p: Pending = { e, verdicts: new Map(), deliveries: [], timer: undefined, deciding: false };
    p.timer = setTimeout(() => this.#decide(p, true), this.#c.deadlineMs);
    this.#pending.set(e.event_ref, p);
  }

  #receive(d: Delivery): void {
    let signed: SignedEventVerdict;
    try {
      signed = SignedEventVerdict.parse(JSON.parse(Buffer.from(d.data).toString("utf8")));
    } catch {
      d.term();
      return;
    }
    const v = signed.verdict;
    const p = this.#pending.get(v.event_ref);
    if (!p || p.deciding) return d.ack();
    const verifier = this.#validators.get(v.validator_id);
    const problem = !verifier
      ? "UNKNOWN_VALIDATOR"
      : d.subject !== this.#c.topology.subjects.eventVerdict(v.validator_id)
        ? "SUBJECT_MISMATCH"
        : v.event_digest !== p.e.digest
          ? "WRONG_DIGEST"
          : p.verdicts.has(v.validator_id)
            ? "DUPLICATE"
            : !verifyEventVerdict(verifier, signed)
              ? "BAD_SIGNATURE"
              : null;
    if (problem) {
      this.#c.logger.warn(
        { event_ref: v.event_ref, validator_id: v.validator_id, code: problem },
        "event verdict ignored",
      );
      return d.ack();
    }
    p.verdicts.set(v.validator_id, signed);
    p.deliveries.push(d);
    this.#decide(p, p.verdicts.size >= this.#c.policy.n);
  }

  #decide(p: Pending, final: boolean): void {
    if (p.deciding) return;
    const all = [...p.verdicts.values()].sort((a, b) => (a.verdict.validator_id < b.verdict.validator_id ? -1 : 1));
    const result = decideEventQuorum(this.#c.policy, all, final);
    if (!result) return;
    p.deciding = true;
    clearTimeout(p.timer);
    const attempt = async (): Promise<void> => {
      try {
        await this.#c.onDecision(p.e, result, all);
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
