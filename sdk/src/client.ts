/**
 * The agent's client. `pay()` fills in `trace_context` and `func_stack_hashes`
 * from the current call path, sends the payment with an idempotency key that
 * every retry reuses, waits for a decision, answers challenges through
 * `onChallenge`, and raises anything but a payment let through as a typed
 * error. At creation it submits every tagged function for audit.
 */
import { randomUUID } from "node:crypto";
import { submitCode, type AgentAudit, agentAudit } from "./audit.ts";
import {
  InvalidRequestError,
  PaymentChallengedError,
  PaymentFailedError,
  PaymentPendingError,
  PaymentRejectedError,
} from "./errors.ts";
import { sleep, transport, type TransportOptions } from "./http.ts";
import { currentPath, currentSteps, lineage, onTagged, taggedFunctions } from "./tagging.ts";
import { buildTraceContext } from "./trace.ts";
import type { AuditRecord, Challenge, ChallengeAnswer, Payment, PaymentRequest, Reason } from "./wire.ts";

export interface ChallengeContext {
  payment: Payment;
  challenge: Challenge;
  reasons: Reason[];
  /** 1 for the first challenge of this payment. */
  round: number;
}

/** Answers a challenge with the requested evidence, or declines with `null`/`undefined`. */
export type ChallengeHandler = (
  c: ChallengeContext,
) => Promise<Record<string, unknown> | null | undefined> | Record<string, unknown> | null | undefined;

export interface ClientOptions extends TransportOptions {
  /** The `agent_id` sent with every payment (default "default"). */
  agentId?: string;
  onChallenge?: ChallengeHandler;
  /** Submit every tagged function for audit now and whenever one is tagged later (default true). */
  submitCode?: boolean;
  /** How long `pay()` waits for a decision that is still pending (default 30 000 ms). */
  decisionTimeoutMs?: number;
  /** Challenges answered per payment before giving up (default 3). */
  maxChallengeRounds?: number;
}

export interface PayInput {
  sender: string;
  receiver: string;
  /** A decimal string such as "12.50": never a float. */
  amount: string;
  currency: string;
  /** true: full validation, simulated settlement. Say it explicitly: money is at stake. */
  debug_mode: boolean;
  purpose?: string;
  steps?: string[];
  idempotency_key?: string;
  agent_id?: string;
  metadata?: PaymentRequest["metadata"];
  /** More `trace_context` fields; they win over the SDK's. */
  trace_context?: Record<string, unknown>;
  onChallenge?: ChallengeHandler;
}

export interface Client {
  /** Resolves to the payment once approved or settled; rejects with a typed error otherwise. */
  pay(input: PayInput): Promise<Payment>;
  payment(paymentId: string): Promise<Payment>;
  /** Builds the request `pay()` would send from here, without sending it. */
  request(input: PayInput): PaymentRequest;
  audit: AgentAudit;
  /** Settles once every function tagged before `createClient` has been submitted for audit. */
  readonly codeSubmitted: Promise<AuditRecord[]>;
  /** Stops submitting functions tagged from now on. */
  close(): void;
}

const FINAL_OK = new Set(["approved", "settled"]);

export function createClient(opts: ClientOptions): Client {
  const t = transport(opts);
  const agentId = opts.agentId ?? "default";
  const decisionTimeoutMs = opts.decisionTimeoutMs ?? 30_000;
  const maxRounds = opts.maxChallengeRounds ?? 3;
  const audit = agentAudit(t);

  const submitting = opts.submitCode !== false;
  const codeSubmitted = submitting ? submitCode(t, taggedFunctions()) : Promise.resolve([]);
  codeSubmitted.catch(() => {}); // surfaced to whoever awaits it; never an unhandled rejection
  const unsubscribe = submitting ? onTagged((fn) => void submitCode(t, [fn]).catch(() => {})) : () => {};

  const request = (input: PayInput): PaymentRequest => {
    if (typeof input.amount !== "string")
      throw new InvalidRequestError('amount must be a decimal string such as "12.50"', { code: "INVALID_AMOUNT" });
    const { steps: extraSteps, ...extra } = input.trace_context ?? {};
    const steps = [
      ...currentSteps(),
      ...(input.steps ?? []),
      ...(Array.isArray(extraSteps) ? extraSteps.map(String) : []),
    ];
    const body: PaymentRequest = {
      idempotency_key: input.idempotency_key ?? `sdk-${randomUUID()}`,
      agent_id: input.agent_id ?? agentId,
      sender: input.sender,
      receiver: input.receiver,
      amount: input.amount,
      currency: input.currency,
      debug_mode: input.debug_mode,
      trace_context: buildTraceContext({ purpose: input.purpose, steps, path: currentPath(), extra }),
      func_stack_hashes: lineage(),
    };
    if (input.metadata) body.metadata = input.metadata;
    return body;
  };

  const waitForDecision = async (p: Payment): Promise<Payment> => {
    const deadline = Date.now() + decisionTimeoutMs;
    let wait = 250;
    while (p.status === "pending" || p.status === "evaluating") {
      if (Date.now() >= deadline)
        throw new PaymentPendingError(`payment ${p.payment_id} has no decision yet`, "PAYMENT_PENDING", p);
      await sleep(wait);
      wait = Math.min(wait * 2, 2000);
      p = await t.call<Payment>("getPayment", { params: { payment_id: p.payment_id } });
    }
    return p;
  };

  const pay = async (input: PayInput): Promise<Payment> => {
    const handler = input.onChallenge ?? opts.onChallenge;
    let p = await waitForDecision(await t.call<Payment>("createPayment", { body: request(input) }));
    for (let round = 1; p.status === "challenged"; round++) {
      const challenge = p.challenge;
      const answer =
        challenge && handler && round <= maxRounds
          ? await handler({ payment: p, challenge, reasons: p.reasons, round })
          : undefined;
      if (!challenge || !answer)
        throw new PaymentChallengedError(summary("challenged", p), p.error_details?.code ?? "PAYMENT_CHALLENGED", p);
      const body: ChallengeAnswer = {
        challenge_id: challenge.challenge_id,
        nonce: challenge.nonce ?? "",
        responses: answer,
      };
      p = await t.call<Payment>("challengeResponse", { params: { payment_id: p.payment_id }, body });
      p = await waitForDecision(p);
    }
    if (FINAL_OK.has(p.status)) return p;
    if (p.status === "rejected")
      throw new PaymentRejectedError(summary("rejected", p), p.error_details?.code ?? "PAYMENT_REJECTED", p);
    throw new PaymentFailedError(summary(p.status, p), p.error_details?.code ?? "PAYMENT_FAILED", p);
  };

  return {
    pay,
    request,
    payment: (paymentId) => t.call<Payment>("getPayment", { params: { payment_id: paymentId } }),
    audit,
    codeSubmitted,
    close: unsubscribe,
  };
}

function summary(what: string, p: Payment): string {
  const reasons = p.reasons.map((r) => r.code).join(", ");
  return `payment ${p.payment_id} ${what} (risk ${p.risk_level ?? "?"}${reasons ? `: ${reasons}` : ""})${p.error_details ? ` — ${p.error_details.message}` : ""}`;
}
