/**
 * Event submission: idempotent by (tenant, event_id), published as a task to
 * every validator, answered once the quorum decision is logged (or, at
 * worst, still evaluating). Scored events feed each validator's state.
 */
import type { Bus } from "../../lib/bus/index.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  canonicalBytes,
  MAX_LOG_ENTRY_BYTES,
  eventDigest,
  eventRef,
  sha256Hex,
  SiqError,
  signBusMessage,
  type Signer,
  type EventDecision,
  type EventQuorumResult,
  type EventRequest,
  type EventTask,
  type EventView,
  type QuorumPolicy,
  type SignedEventVerdict,
  type Topology,
} from "../../protocol/index.ts";
import type { LogSequencer } from "../log/index.ts";
import { eventView, type EventRow, type EventStore } from "../store/index.ts";
import type { EventAggregator, PendingEvent } from "./aggregator.ts";
import { currentRequestId } from "../../lib/request-scope.ts";
import type { Metrics } from "../metrics.ts";

export interface EventServiceComponents {
  store: EventStore;
  bus: Bus;
  topology: Topology;
  sequencer: LogSequencer;
  policy: QuorumPolicy;
  deadlineMs: number;
  logger: Logger;
  /** Signs each event task (validators verify it). */
  busSigner: Signer;
  metrics?: Metrics | null;
}

const encoder = new TextEncoder();

export class EventService {
  readonly #c: EventServiceComponents;
  #aggregator: EventAggregator | undefined;
  readonly #rows = new Map<string, EventRow>();
  readonly #waiters = new Map<string, ((v: EventView) => void)[]>();

  constructor(c: EventServiceComponents) {
    this.#c = c;
  }

  attach(aggregator: EventAggregator): void {
    this.#aggregator = aggregator;
  }

  async submit(tenantId: string, req: EventRequest): Promise<EventView> {
    const ref = eventRef(tenantId, req.event_id);
    const receivedAt = new Date().toISOString();
    const hash = sha256Hex(canonicalBytes(req));
    const { row, fresh } = await this.#c.store.insertOrGet({
      event_ref: ref,
      tenant_id: tenantId,
      event_id: req.event_id,
      kind: req.kind,
      request: req,
      request_hash: hash,
      event_digest: eventDigest(ref, tenantId, receivedAt, req),
      status: "evaluating",
      risk_level: null,
      decision: null,
      reasons: [],
      log_index: null,
      received_at: receivedAt,
      decided_at: null,
    });
    if (row.request_hash !== hash) {
      throw new SiqError("IDEMPOTENCY_KEY_REUSED", `event_id "${req.event_id}" was already used for a different event`);
    }
    if (row.status === "decided") return eventView(row);
    const answer = this.#wait(row, this.#c.deadlineMs + 2000);
    if (fresh) this.#c.metrics?.eventsTotal.inc({ kind: req.kind });
    if (fresh) await this.#evaluate(row);
    return answer;
  }

  async get(tenantId: string, eventId: string): Promise<EventView> {
    const row = await this.#c.store.get(tenantId, eventId);
    if (!row) throw new SiqError("NOT_FOUND", `no event ${eventId}`);
    return eventView(row);
  }

  /** Re-publishes events left unfinished by a previous run. */
  async recover(): Promise<number> {
    const rows = await this.#c.store.unfinished();
    for (const row of rows) await this.#evaluate(row);
    return rows.length;
  }

  async #evaluate(row: EventRow): Promise<void> {
    const receivedAt =
      row.received_at instanceof Date ? row.received_at.toISOString() : new Date(row.received_at).toISOString();
    const task: EventTask = {
      type: "sentineliq.event_task.v1",
      event_ref: row.event_ref,
      tenant_id: row.tenant_id,
      event_digest: row.event_digest,
      event: row.request,
      received_at: receivedAt,
      deadline_at: new Date(Date.now() + this.#c.deadlineMs).toISOString(),
    };
    this.#rows.set(row.event_ref, row);
    // On recovery the verdicts cast since the event was received are fresh.
    const startedAtMs =
      row.status === "evaluating" && !this.#rows.has(row.event_ref) ? Date.parse(receivedAt) : Date.now();
    this.#aggregator!.register({ event_ref: row.event_ref, digest: row.event_digest, startedAtMs });
    try {
      await this.#c.bus.publish(
        this.#c.topology.subjects.evaluateEvent,
        encoder.encode(JSON.stringify(signBusMessage(this.#c.busSigner, task))),
        { msgId: `event:${row.event_ref}`, requestId: currentRequestId() },
      );
    } catch (cause) {
      throw new SiqError(
        "BUS_UNAVAILABLE",
        "the validator network could not be reached; retry with the same event_id",
        { cause },
      );
    }
  }

  readonly onDecision = async (
    e: PendingEvent,
    result: EventQuorumResult,
    verdicts: SignedEventVerdict[],
    policy: QuorumPolicy,
  ): Promise<void> => {
    const row = this.#rows.get(e.event_ref);
    if (!row) return;
    const decision: EventDecision = {
      type: "sentineliq.event.v1",
      event_ref: e.event_ref,
      event_digest: e.digest,
      kind: row.kind,
      outcome: result.outcome,
      decision: result.decision,
      risk_level: result.risk_level,
      score: result.score,
      reasons: result.reasons,
      policy,
      verdicts,
      dissent: result.dissent,
      decided_at: new Date().toISOString(),
    };
    // Keyed by the event: a re-decided event (after a restart) is never logged twice.
    const bytes = canonicalBytes(decision);
    if (bytes.length > MAX_LOG_ENTRY_BYTES)
      throw new RangeError(`event decision is ${bytes.length} bytes, over ${MAX_LOG_ENTRY_BYTES}`);
    const index = await this.#c.sequencer.appendEntry(`event:${e.event_ref}`, bytes);
    await this.#c.store.decide(e.event_ref, decision, index);
    this.#rows.delete(e.event_ref);
    this.#c.metrics?.eventDecisions.inc({ kind: row.kind, decision: result.decision });
    const view = eventView({
      ...row,
      status: "decided",
      risk_level: result.risk_level,
      decision: result.decision,
      reasons: result.reasons,
      log_index: index,
      decided_at: decision.decided_at,
    });
    for (const w of this.#waiters.get(e.event_ref) ?? []) w(view);
    this.#waiters.delete(e.event_ref);
  };

  #wait(row: EventRow, timeoutMs: number): Promise<EventView> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ...eventView(row), status: "pending" }), timeoutMs);
      const list = this.#waiters.get(row.event_ref) ?? [];
      list.push((v) => {
        clearTimeout(timer);
        resolve(v);
      });
      this.#waiters.set(row.event_ref, list);
    });
  }
}
