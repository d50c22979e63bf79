/**
 * The challenge loop's coordinator side: open a challenge when the network
 * says "challenge", log it, expire it when its time is up (→ rejected), and
 * accept one answer, which the payment service sends back to the network as
 * the next attempt.
 */
import { timingSafeEqual } from "node:crypto";
import type { Logger } from "../../lib/logger.ts";
import {
  canonicalBytes,
  sha256Hex,
  SiqError,
  TypeTags,
  type Challenge,
  type ChallengeResponseRequest,
  type PaymentRejectionCode,
  type QuorumResult,
} from "../../protocol/index.ts";
import type { LogSequencer } from "../log/index.ts";
import type { PaymentRow } from "../store/index.ts";
import { newChallenge } from "./issue.ts";
import type { ChallengeStore } from "./store.ts";

export interface ChallengeComponents {
  store: ChallengeStore;
  sequencer: LogSequencer;
  logger: Logger;
  ttlMs: number;
  maxAttempts: number;
  /** Told when a payment's challenge ends without an answer (to wake waiting callers). */
  onClosed: (paymentId: string) => void;
}

export class ChallengeService {
  readonly #c: ChallengeComponents;
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(c: ChallengeComponents) {
    this.#c = c;
  }

  /** After a "challenge" decision: a new challenge, or null when the attempts are used up (the payment is rejected). */
  async open(row: PaymentRow, result: Pick<QuorumResult, "counted" | "reasons">, now: Date): Promise<Challenge | null> {
    if (row.attempt >= this.#c.maxAttempts) {
      await this.#close(
        row.payment_id,
        null,
        "CHALLENGE_ATTEMPTS_EXHAUSTED",
        `still risky after ${row.attempt} attempts`,
        row.challenge?.challenge_id,
      );
      return null;
    }
    const challenge = newChallenge(result as QuorumResult, row.attempt, now, this.#c.ttlMs);
    await this.#c.store.open(row.payment_id, challenge);
    await this.#c.sequencer.appendRecord({
      type: "sentineliq.challenge.v1",
      payment_id: row.payment_id,
      payment_digest: row.payment_digest,
      challenge,
    });
    this.#schedule(row.payment_id, challenge);
    return challenge;
  }

  /**
   * Checks an agent's answer against the open challenge (its id and its single-use nonce) and moves the
   * payment to its next attempt. Errors name only what the caller sent. A step-up is never the agent's to give.
   */
  async answer(row: PaymentRow, body: ChallengeResponseRequest, now: Date): Promise<PaymentRow> {
    const c = row.challenge;
    if (row.status !== "challenged" || !c)
      throw new SiqError("CHALLENGE_NOT_OPEN", `payment ${row.payment_id} has no open challenge`);
    if (!sameText(body.challenge_id, c.challenge_id) || !sameText(body.nonce, c.nonce))
      throw new SiqError("CHALLENGE_MISMATCH", "the challenge_id and nonce are not those of the open challenge");
    if (c.kind === "step_up" || "confirmed" in body.responses || "confirmed_by" in body.responses) {
      this.#c.logger.warn(
        { payment_id: row.payment_id, challenge_id: c.challenge_id },
        "an agent tried to confirm a step-up",
      );
      throw new SiqError(
        "STEP_UP_NOT_BY_AGENT",
        "a step-up is confirmed by an approver of the organisation (POST /v1/challenges/{challenge_id}/approve), not by the agent's key",
      );
    }
    await this.#refuseExpired(row.payment_id, c, now);
    const next = await this.#c.store.answer(row.payment_id, c, body.responses);
    if (!next) throw new SiqError("CHALLENGE_NOT_OPEN", `challenge ${c.challenge_id} was already answered or closed`);
    this.#cancel(row.payment_id);
    await this.#c.sequencer.appendRecord({
      type: "sentineliq.challenge_response.v2",
      payment_id: row.payment_id,
      challenge_id: c.challenge_id,
      attempt: next.attempt,
      evidence_digest: sha256Hex(canonicalBytes(body.responses)),
      received_at: now.toISOString(),
    });
    return next;
  }

  /**
   * An approver's decision on an open challenge of their organisation: approve (the step-up is confirmed,
   * with the evidence given so far, and the payment goes to its next attempt) or decline (rejected).
   * Either way the log records who.
   */
  async review(tenantId: string, challengeId: string, r: Review, now: Date): Promise<PaymentRow> {
    const row = await this.#c.store.byChallenge(tenantId, challengeId);
    if (!row) throw new SiqError("NOT_FOUND", `no challenge ${challengeId}`);
    const c = row.challenge!;
    if (row.status !== "challenged")
      throw new SiqError("CHALLENGE_NOT_OPEN", `challenge ${challengeId} was already answered or closed`);
    await this.#refuseExpired(row.payment_id, c, now);
    const record = reviewRecord(row, r, now);
    if (r.decision === "decline") {
      const message = `declined by ${r.approver}`;
      if (!(await this.#c.store.expire(row.payment_id, challengeId, "CHALLENGE_DECLINED", message)))
        throw new SiqError("CHALLENGE_NOT_OPEN", `challenge ${challengeId} was already answered or closed`);
      this.#cancel(row.payment_id);
      await this.#c.sequencer.appendRecord({ ...record, attempt: row.attempt });
      this.#c.onClosed(row.payment_id);
      const error_details = { code: "CHALLENGE_DECLINED", message };
      return { ...row, status: "rejected", decision: "reject", error_details };
    }
    const evidence = { ...row.evidence, confirmed: true, confirmed_by: r.approver };
    const next = await this.#c.store.answer(row.payment_id, c, evidence);
    if (!next) throw new SiqError("CHALLENGE_NOT_OPEN", `challenge ${challengeId} was already answered or closed`);
    this.#cancel(row.payment_id);
    const evidence_digest = sha256Hex(canonicalBytes(evidence));
    await this.#c.sequencer.appendRecord({ ...record, attempt: next.attempt, evidence_digest });
    return next;
  }

  /** After a restart: re-arm expiry timers, and open challenges a crash left unopened. */
  async recover(): Promise<number> {
    const rows = await this.#c.store.openChallenges();
    for (const row of rows) {
      if (row.challenge && row.challenge.attempt === row.attempt) this.#schedule(row.payment_id, row.challenge);
      else await this.open(row, { counted: [], reasons: row.reasons }, new Date());
    }
    return rows.length;
  }

  stop(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }

  #schedule(paymentId: string, c: Challenge): void {
    this.#cancel(paymentId);
    const delay = Math.max(0, Date.parse(c.expires_at) - Date.now());
    const t = setTimeout(
      () => {
        this.#timers.delete(paymentId);
        this.#close(paymentId, c.challenge_id, "CHALLENGE_EXPIRED", "the challenge expired unanswered").catch(
          (err: Error) =>
            this.#c.logger.error({ payment_id: paymentId, err: err.message }, "expiring a challenge failed"),
        );
      },
      Math.min(delay, 2 ** 31 - 1),
    );
    t.unref();
    this.#timers.set(paymentId, t);
  }

  /** An expired challenge closes (→ rejected) when someone tries to answer it. */
  async #refuseExpired(paymentId: string, c: Challenge, now: Date): Promise<void> {
    if (Date.parse(c.expires_at) > now.getTime()) return;
    await this.#close(paymentId, c.challenge_id, "CHALLENGE_EXPIRED", "the challenge expired unanswered");
    throw new SiqError(
      "CHALLENGE_EXPIRED",
      `challenge ${c.challenge_id} expired at ${c.expires_at}; the payment is rejected`,
    );
  }

  #cancel(paymentId: string): void {
    clearTimeout(this.#timers.get(paymentId));
    this.#timers.delete(paymentId);
  }

  /** challenged → rejected; `challengeId` null closes whatever is open (attempts used up). */
  async #close(
    paymentId: string,
    challengeId: string | null,
    code: PaymentRejectionCode,
    message: string,
    lastChallenge?: string,
  ): Promise<void> {
    if (!(await this.#c.store.expire(paymentId, challengeId, code, message))) return;
    await this.#c.sequencer.appendRecord({
      type: "sentineliq.challenge_expired.v2",
      payment_id: paymentId,
      challenge_id: challengeId ?? lastChallenge ?? "none",
      expired_at: new Date().toISOString(),
    });
    this.#c.onClosed(paymentId);
  }
}

export interface Review {
  decision: "approve" | "decline";
  /** The approver's id in the organisation. */
  approver: string;
  note?: string;
}

function reviewRecord(row: PaymentRow, r: Review, now: Date) {
  return {
    type: TypeTags.challenge_review,
    payment_id: row.payment_id,
    challenge_id: row.challenge!.challenge_id,
    decision: r.decision,
    approver: r.approver,
    tenant_id: row.tenant_id,
    ...(r.note !== undefined ? { note_digest: sha256Hex(canonicalBytes(r.note)) } : {}),
    reviewed_at: now.toISOString(),
  };
}

/** Equal strings, compared in constant time (a nonce is a secret of the challenge). */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
