/** The coordinator's HTTP handlers: each route wired to the component that answers it. */
import type { Bus } from "../lib/bus/index.ts";
import type { Db } from "../lib/db.ts";
import { SiqError, type QuorumPolicy } from "../protocol/index.ts";
import type { RunningAccounts } from "./accounts/index.ts";
import { requireAgent, type Handlers, type Principal, type Reply } from "./api/index.ts";
import type { ChallengeService, Review } from "./challenges/index.ts";
import type { RunningAudit } from "./audit/index.ts";
import type { RunningEvents } from "./events/index.ts";
import type { Heartbeats } from "./heartbeats.ts";
import type { Checkpointer } from "./log/index.ts";
import { logHandlers, paymentReceipt } from "./log/index.ts";
import type { LogSequencer } from "./log/index.ts";
import type { LogStore } from "./log/index.ts";
import type { Trail } from "./log/index.ts";
import type { Metrics } from "./metrics.ts";
import type { PaymentService } from "./payments/index.ts";
import type { Exclusions, Reputation } from "./quorum/index.ts";
import { validatorHandlers } from "./validators.ts";
import { dashboardFor } from "./analytics/index.ts";
import type { ValidatorSet } from "../protocol/index.ts";
import { mayDebit, type Custody } from "./settlement/index.ts";
import { privacyHandlers, type Erasure } from "./privacy/index.ts";

export interface HandlerComponents {
  vkey: string;
  db: Db;
  bus: Bus;
  policy: QuorumPolicy;
  metrics: Metrics;
  heartbeats: Heartbeats;
  service: PaymentService;
  challenges: ChallengeService;
  settlement: { custody: Custody };
  events: RunningEvents;
  audit: RunningAudit;
  logReader: LogStore;
  sequencer: LogSequencer;
  checkpointer: Checkpointer;
  exclusions: Exclusions;
  reputation: Reputation;
  validatorSet: ValidatorSet;
  accounts: RunningAccounts;
  /** Erases data subjects (privacy routes). */
  erasure: Erasure;
  trail: Trail;
}

export function coordinatorHandlers(c: HandlerComponents): Handlers {
  const { service, events } = c;
  return {
    createPayment: async ({ tenant, principal, body }) => {
      requireAgent(principal, body.agent_id);
      if (!mayDebit(c.settlement.custody, body.sender, tenant, body.agent_id))
        throw new SiqError(
          "WALLET_NOT_ALLOWED",
          `agent ${body.agent_id} may not spend the custody wallet ${body.sender}`,
        );
      return { body: await service.submit(tenant, body) };
    },
    getPayment: async ({ tenant, params }) => ({ body: await service.get(tenant, params.payment_id) }),
    createEvent: async ({ tenant, principal, body }) => {
      requireAgent(principal, body.agent_id);
      // Login events are the platform's record of its own logins (login-guard.ts): nobody else writes them.
      if (body.kind === "login")
        throw new SiqError("FORBIDDEN", "kind login is the platform's own; send login_success or login_failure");
      return { body: await events.submit(tenant, body) };
    },
    analyticsDashboard: async ({ principal, query }) => ({ body: await dashboardFor(c.db, principal, query) }),
    getEvent: async ({ tenant, params }) => ({ body: await events.get(tenant, params.event_id) }),
    paymentReceipt: async ({ tenant, params }) => {
      await service.get(tenant, params.payment_id);
      return {
        contentType: "text/plain; charset=utf-8",
        body: await paymentReceipt(c.logReader, c.checkpointer, params.payment_id),
      };
    },
    challengeResponse: async ({ tenant, principal, params, body }) => ({
      body: await service.respond(tenant, params.payment_id, body, (agentId) => requireAgent(principal, agentId)),
    }),
    approveChallenge: async ({ tenant, principal, params, body }) => {
      const next = await c.challenges.review(
        tenant,
        params.challenge_id,
        review("approve", principal, body),
        new Date(),
      );
      return { body: await service.next(next) };
    },
    declineChallenge: async ({ tenant, principal, params, body }) => {
      const done = await c.challenges.review(
        tenant,
        params.challenge_id,
        review("decline", principal, body),
        new Date(),
      );
      return { body: await service.get(tenant, done.payment_id) };
    },
    ...logHandlers(c.vkey, c.logReader, c.sequencer, c.checkpointer),
    ...c.audit.handlers,
    ...validatorHandlers(c),
    ...c.accounts.handlers,
    ...privacyHandlers(c.db, c.erasure, c.trail),
    health: () => ({ body: { status: "ok" } }),
    ready: () => readiness(c),
  };
}

/**
 * Ready when the bus and the store answer, enough validators to approve are alive, and the validators not
 * excluded for equivocation still satisfy n >= 3f+1 (otherwise every payment fails closed; `reason` says so).
 */
async function readiness(c: HandlerComponents): Promise<Reply> {
  const busOk = await c.bus.healthy();
  const storeOk = await c.db.query("SELECT 1").then(
    () => true,
    () => false,
  );
  const validators = c.heartbeats.alive();
  c.metrics.validatorsAlive.set(validators);
  const safe = c.exclusions.safe();
  const excluded = c.exclusions.current().excluded;
  const ok = busOk && storeOk && validators >= c.policy.approve && safe;
  return {
    status: ok ? 200 : 503,
    body: {
      status: ok ? "ready" : "not_ready",
      ...(safe
        ? {}
        : {
            reason: `QUORUM_UNSAFE: ${excluded.length} of ${c.policy.n} validators are excluded for equivocation (${excluded.join(", ")}); the rest cannot tolerate f=${c.policy.f}, so payments fail closed until an operator reinstates one`,
          }),
      excluded,
      bus: busOk,
      store: storeOk,
      validators_alive: validators,
      quorum: c.policy.approve,
      policy: c.policy.name,
    },
  };
}

/** An approver's decision, with who made it (the route admits approver keys only). */
function review(decision: Review["decision"], p: Principal | undefined, body: { note?: string }): Review {
  const approver = p?.role === "approver" ? p.approver : "";
  return { decision, approver, ...(body.note !== undefined ? { note: body.note } : {}) };
}
