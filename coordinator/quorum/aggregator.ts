/**
 * The aggregator actor. Its mailbox is the verdicts stream. It keeps, per
 * payment under evaluation, the verified verdicts so far; as soon as the
 * quorum rule yields a result (or the deadline passes) it hands the result on
 * and acks the verdicts only once that result is recorded.
 */
import type { Bus, Delivery } from "../../lib/bus/types.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  decideQuorum,
  SignedVerdict,
  Verifier,
  type QuorumPolicy,
  type QuorumResult,
  type Topology,
  type ValidatorSet,
} from "../../protocol/index.ts";
import type { Metrics } from "../metrics.ts";
import { checkVerdict } from "./check.ts";

export interface Evaluation {
  payment_id: string;
  digest: string;
  attempt: number;
  startedAt: number;
}

export type DecisionHandler = (e: Evaluation, result: QuorumResult, all: SignedVerdict[]) => Promise<void>;

interface Pending {
  e: Evaluation;
  verdicts: Map<string, SignedVerdict>;
  deliveries: Delivery[];
  timer: NodeJS.Timeout | undefined;
  deciding: boolean;
}

export interface AggregatorComponents {
  bus: Bus;
  topology: Topology;
  validatorSet: ValidatorSet;
  policy: QuorumPolicy;
  deadlineMs: number;
  logger: Logger;
  metrics: Metrics | null;
  onDecision: DecisionHandler;
}

export class Aggregator {
  readonly #c: AggregatorComponents;
  readonly #validators: Map<string, Verifier>;
  readonly #pending = new Map<string, Pending>();
  #loop: Promise<void> | undefined;
  #close: (() => Promise<void>) | undefined;

  constructor(c: AggregatorComponents) {
    this.#c = c;
    this.#validators = new Map(c.validatorSet.validators.map((v) => [v.id, new Verifier(Buffer.from(v.public_key, "hex"))]));
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
    this.#close = () => mailbox.close();
    this.#loop = (async () => {
      for await (const d of mailbox) this.#receive(d);
    })();
  }

  async stop(): Promise<void> {
    for (const p of this.#pending.values()) clearTimeout(p.timer);
    await this.#close?.();
    await this.#loop?.catch(() => {});
  }

  /** Starts collecting verdicts for an evaluation; the deadline clock starts now. */
  register(e: Evaluation, deadlineMs = this.#c.deadlineMs): void {
    if (this.#pending.has(e.payment_id)) return;
    const p: Pending = { e, verdicts: new Map(), deliveries: [], timer: undefined, deciding: false };
    p.timer = setTimeout(() => this.#decide(p, true), deadlineMs);
    this.#pending.set(e.payment_id, p);
  }

  forget(paymentId: string): void {
    const p = this.#pending.get(paymentId);
    if (p && !p.deciding) {
      clearTimeout(p.timer);
      this.#pending.delete(paymentId);
    }
  }

  get inFlight(): number {
    return this.#pending.size;
  }

  #receive(d: Delivery): void {
    const count = (validator: string, result: string) => this.#c.metrics?.verdictsTotal.inc({ validator, result });
    let signed: SignedVerdict;
    try {
      signed = SignedVerdict.parse(JSON.parse(Buffer.from(d.data).toString("utf8")));
    } catch {
      count("unknown", "MALFORMED");
      d.term();
      return;
    }
    const p = this.#pending.get(signed.verdict.payment_id);
    if (!p || p.deciding) {
      count(signed.verdict.validator_id, "LATE");
      d.ack();
      return;
    }
    const rejection = checkVerdict(this.#validators, this.#c.topology.subjects.verdict, d.subject, signed, {
      digest: p.e.digest,
      attempt: p.e.attempt,
      seen: p.verdicts,
    });
    if (rejection) {
      count(rejection.validator_id, rejection.code);
      this.#c.logger.warn({ payment_id: p.e.payment_id, ...rejection }, "verdict ignored");
      d.ack();
      return;
    }
    count(signed.verdict.validator_id, "ACCEPTED");
    p.verdicts.set(signed.verdict.validator_id, signed);
    p.deliveries.push(d);
    this.#decide(p, p.verdicts.size >= this.#c.policy.n);
  }

  #decide(p: Pending, final: boolean): void {
    if (p.deciding) return;
    const all = [...p.verdicts.values()];
    const result = decideQuorum(this.#c.policy, all, final);
    if (!result) return;
    p.deciding = true;
    clearTimeout(p.timer);
    const attempt = async (): Promise<void> => {
      try {
        await this.#c.onDecision(p.e, result, all);
        this.#pending.delete(p.e.payment_id);
        for (const d of p.deliveries) d.ack();
      } catch (err) {
        this.#c.logger.error({ payment_id: p.e.payment_id, err: (err as Error).message }, "recording decision failed; retrying");
        setTimeout(() => void attempt(), 1000).unref();
      }
    };
    void attempt();
  }
}
