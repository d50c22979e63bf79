/**
 * The challenge loop's coordinator side: open a challenge when the network
 * says "challenge", log it, expire it when its time is up (→ rejected), and
 * accept one answer, which the payment service sends back to the network as
 * the next attempt.
 */
import type { Logger } from "../../lib/logger.ts";
import {
  canonicalBytes,
  sha256Hex,
  SiqError,
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

  /** Checks an answer against the open challenge and moves the payment to its next attempt. */
  async answer(row: PaymentRow, body: ChallengeResponseRequest, now: Date): Promise<PaymentRow> {
    const c = row.challenge;
    if (row.status !== "challenged" || !c)
      throw new SiqError(
        "CHALLENGE_NOT_OPEN",
        `payment ${row.payment_id} has no open challenge (status ${row.status})`,
      );
    if (body.challenge_id !== c.challenge_id)
      throw new SiqError(
        "CHALLENGE_MISMATCH",
        `challenge ${body.challenge_id} is not the open one (${c.challenge_id})`,
      );
    if (body.nonce !== undefined && body.nonce !== c.nonce)
      throw new SiqError("CHALLENGE_MISMATCH", "nonce does not match the challenge");
    if (Date.parse(c.expires_at) <= now.getTime()) {
      await this.#close(row.payment_id, c.challenge_id, "CHALLENGE_EXPIRED", "the challenge expired unanswered");
      throw new SiqError(
        "CHALLENGE_EXPIRED",
        `challenge ${c.challenge_id} expired at ${c.expires_at}; the payment is rejected`,
      );
    }
    const next = await this.#c.store.answer(row.payment_id, c.challenge_id, body.responses);
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
