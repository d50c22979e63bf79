/**
 * Every NATS stream, subject and durable consumer name, defined once and
 * versioned. A namespace (default "siq") lets several networks, or several
 * test runs, share one NATS server without seeing each other.
 */
import { z } from "zod";

export const Namespace = z.string().regex(/^[a-z][a-z0-9]{0,15}$/, "lowercase letters and digits, at most 16");

export interface StreamSpec {
  name: string;
  subjects: string[];
  /** Seconds a message is kept. */
  maxAgeSeconds: number;
}

export interface Topology {
  namespace: string;
  streams: {
    payments: StreamSpec;
    verdicts: StreamSpec;
    settlements: StreamSpec;
    log: StreamSpec;
    events: StreamSpec;
    /** Messages an actor could not handle, kept for inspection (`sentineliq.dead_letter.v1`). */
    deadLetters: StreamSpec;
    /** Events for organisations' webhooks, and the deliveries fanned out from them (at least once). */
    webhooks: StreamSpec;
  };
  subjects: {
    /** Evaluation tasks; every validator's durable consumer reads them all. */
    evaluate: string;
    /** One subject per validator, so a forged sender is visible in the subject too. */
    verdict: (validatorId: string) => string;
    verdictWildcard: string;
    /** Core NATS (not stored): a validator's liveness beacon. */
    heartbeat: (validatorId: string) => string;
    heartbeatWildcard: string;
    /** Authentication and behaviour events to score; every validator reads them all. */
    evaluateEvent: string;
    /** Event verdicts, in the verdicts stream but under their own prefix. */
    eventVerdict: (validatorId: string) => string;
    eventVerdictWildcard: string;
    /** Approved payments handed to the settler (one order per payment, de-duplicated by id). */
    settle: string;
    /** Entries to be sequenced into the verdict log: one total order, integrated by the log sequencer. */
    logAppend: string;
    /** Core NATS request/reply: C2SP tlog-witness add-checkpoint, answered by each validator's witness. */
    witnessAddCheckpoint: (validatorId: string) => string;
    /** Where an actor (named by its durable consumer, e.g. `validator-v1`) puts a message it gives up on. */
    deadLetter: (actor: string) => string;
    deadLetterWildcard: string;
    /** Events for webhooks (`payment.rejected`, ...), read by the webhook fan-out. */
    webhookEvent: string;
    /** One message per delivery to an endpoint, read by the webhook dispatcher (retried with backoff). */
    webhookDelivery: string;
  };
  consumers: {
    validator: (validatorId: string) => string;
    aggregator: string;
    validatorEvents: (validatorId: string) => string;
    eventAggregator: string;
    settler: string;
    logSequencer: string;
    webhookFanout: string;
    webhookDispatcher: string;
  };
  /** Key-value buckets (NATS KV): the latest value per key, watched by every node. */
  buckets: {
    /** The tAudit registry: key = code hash, value = `sentineliq.audit_state.v2`. */
    audit: string;
  };
}

const DAY = 24 * 3600;

export function topology(namespace = "siq"): Topology {
  const ns = Namespace.parse(namespace);
  const NS = ns.toUpperCase();
  return Object.freeze({
    namespace: ns,
    streams: {
      payments: { name: `${NS}_V1_PAYMENTS`, subjects: [`${ns}.v1.payments.>`], maxAgeSeconds: 7 * DAY },
      verdicts: { name: `${NS}_V1_VERDICTS`, subjects: [`${ns}.v1.verdicts.>`], maxAgeSeconds: 7 * DAY },
      events: { name: `${NS}_V1_EVENTS`, subjects: [`${ns}.v1.events.>`], maxAgeSeconds: 7 * DAY },
      settlements: { name: `${NS}_V1_SETTLEMENTS`, subjects: [`${ns}.v1.settlements.>`], maxAgeSeconds: 7 * DAY },
      log: { name: `${NS}_V1_LOG`, subjects: [`${ns}.v1.log.>`], maxAgeSeconds: 7 * DAY },
      deadLetters: { name: `${NS}_V1_DEADLETTERS`, subjects: [`${ns}.v1.deadletters.>`], maxAgeSeconds: 30 * DAY },
      webhooks: { name: `${NS}_V1_WEBHOOKS`, subjects: [`${ns}.v1.webhooks.>`], maxAgeSeconds: 7 * DAY },
    },
    subjects: {
      evaluate: `${ns}.v1.payments.evaluate`,
      verdict: (validatorId: string) => `${ns}.v1.verdicts.${validatorId}`,
      verdictWildcard: `${ns}.v1.verdicts.*`,
      heartbeat: (validatorId: string) => `${ns}.v1.heartbeat.${validatorId}`,
      heartbeatWildcard: `${ns}.v1.heartbeat.*`,
      evaluateEvent: `${ns}.v1.events.evaluate`,
      eventVerdict: (validatorId: string) => `${ns}.v1.verdicts.events.${validatorId}`,
      eventVerdictWildcard: `${ns}.v1.verdicts.events.*`,
      settle: `${ns}.v1.settlements.approved`,
      logAppend: `${ns}.v1.log.append`,
      witnessAddCheckpoint: (validatorId: string) => `${ns}.v1.witness.${validatorId}.add-checkpoint`,
      deadLetter: (actor: string) => `${ns}.v1.deadletters.${actor}`,
      deadLetterWildcard: `${ns}.v1.deadletters.*`,
      webhookEvent: `${ns}.v1.webhooks.events`,
      webhookDelivery: `${ns}.v1.webhooks.deliveries`,
    },
    consumers: {
      validator: (validatorId: string) => `validator-${validatorId}`,
      aggregator: "aggregator",
      validatorEvents: (validatorId: string) => `validator-events-${validatorId}`,
      eventAggregator: "event-aggregator",
      settler: "settler",
      logSequencer: "log-sequencer",
      webhookFanout: "webhook-fanout",
      webhookDispatcher: "webhook-dispatcher",
    },
    buckets: {
      audit: `${NS}_V1_AUDIT`,
    },
  });
}
