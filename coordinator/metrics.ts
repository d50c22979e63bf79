/** Every coordinator metric, from one typed factory. Names end in their unit. */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { collectProcessMetrics } from "../lib/process-metrics.ts";
import { opsMetrics } from "./metrics-ops.ts";

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(register = new Registry()) {
  collectProcessMetrics(register, "siq_coordinator_");
  return { register, ...decisionMetrics(register), ...validatorMetrics(register), ...opsMetrics(register) };
}

/** Payments, decisions and the log. */
function decisionMetrics(register: Registry) {
  return {
    paymentsTotal: new Counter({
      name: "siq_payments_total",
      help: "Payments finished, by status",
      labelNames: ["status", "risk_level"] as const,
      registers: [register],
    }),
    decisionSeconds: new Histogram({
      name: "siq_decision_duration_seconds",
      help: "From task published to decision logged",
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 3, 10],
      registers: [register],
    }),
    verdictsTotal: new Counter({
      name: "siq_verdicts_total",
      help: "Verdicts received, by validator and result (accepted, or why rejected)",
      labelNames: ["validator", "result"] as const,
      registers: [register],
    }),
    logEntries: new Gauge({ name: "siq_log_entries", help: "Entries in the verdict log", registers: [register] }),
    tiersTotal: new Counter({
      name: "siq_tier_total",
      help: "Payments by pre-screen tier",
      labelNames: ["tier"] as const,
      registers: [register],
    }),
    escalationsTotal: new Counter({
      name: "siq_committee_escalations_total",
      help: "Easy-tier payments a committee could not approve unanimously, sent to the whole set",
      registers: [register],
    }),
    logCheckpointSize: new Gauge({
      name: "siq_log_checkpoint_entries",
      help: "Tree size of the latest published checkpoint",
      registers: [register],
    }),
    logArchiveSize: new Gauge({
      name: "siq_log_archive_entries",
      help: "Tree size of the latest checkpoint written to the archive",
      registers: [register],
    }),
    logArchiveRedactionsRefused: new Counter({
      name: "siq_log_archive_redactions_refused_total",
      help: "Archived entry bundles an erasure could not rewrite: they would change by more than tombstones",
      registers: [register],
    }),
    logArchiveFailures: new Counter({
      name: "siq_log_archive_failures_total",
      help: "Archive writes that failed (each is retried with backoff)",
      registers: [register],
    }),
    logAlarms: new Counter({
      name: "siq_log_alarms_total",
      help: "Times the log refused to sign a checkpoint inconsistent with one it signed before",
      labelNames: ["kind"] as const,
      registers: [register],
    }),
  };
}

/** Each validator's presence, agreement, latency and weight. */
function validatorMetrics(register: Registry) {
  return {
    validatorsAlive: new Gauge({
      name: "siq_validators_alive",
      help: "Validators heard from recently",
      registers: [register],
    }),
    validatorVerdicts: new Counter({
      name: "siq_validator_verdicts_total",
      help: "Counted verdicts per validator, and whether they agreed with the final outcome",
      labelNames: ["validator", "agreed", "level"] as const,
      registers: [register],
    }),
    validatorLatency: new Histogram({
      name: "siq_validator_latency_seconds",
      help: "From task published to the validator's verdict received",
      labelNames: ["validator"] as const,
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1, 3],
      registers: [register],
    }),
    validatorAbsent: new Counter({
      name: "siq_validator_absent_total",
      help: "Decisions taken without this member's verdict (timeouts)",
      labelNames: ["validator"] as const,
      registers: [register],
    }),
    validatorWeight: new Gauge({
      name: "siq_validator_weight",
      help: "Voting weight in force",
      labelNames: ["validator"] as const,
      registers: [register],
    }),
    validatorReputation: new Gauge({
      name: "siq_validator_reputation_ratio",
      help: "Weighted agreement with final outcomes, 0..1",
      labelNames: ["validator"] as const,
      registers: [register],
    }),
    deadLettersTotal: new Counter({
      name: "siq_dead_letters_total",
      help: "Bus messages an actor gave up on and moved to the dead-letter stream, by actor (validators included)",
      labelNames: ["actor"] as const,
      registers: [register],
    }),
    validatorExcluded: new Gauge({
      name: "siq_validator_excluded",
      help: "1 while a validator is excluded for equivocation (its verdicts logged, not counted)",
      labelNames: ["validator"] as const,
      registers: [register],
    }),
    quorumSafe: new Gauge({
      name: "siq_quorum_safe",
      help: "1 while the validators not excluded still satisfy n >= 3f+1; 0 while the network fails closed",
      registers: [register],
    }),
    eventVerdictsTotal: new Counter({
      name: "siq_event_verdicts_total",
      help: "Event verdicts received, by validator and result (accepted, or why refused)",
      labelNames: ["validator", "result"] as const,
      registers: [register],
    }),
    validatorFlagged: new Gauge({
      name: "siq_validator_flagged",
      help: "1 once a validator has been caught equivocating",
      labelNames: ["validator"] as const,
      registers: [register],
    }),
  };
}
