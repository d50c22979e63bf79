/** Challenge state on the payment row: guarded transitions, so each happens at most once. */
import type { Db, Row } from "../../lib/db.ts";
import type { Challenge, Evidence } from "../../protocol/index.ts";
import type { PaymentRow } from "../store/index.ts";

export class ChallengeStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  async open(paymentId: string, challenge: Challenge): Promise<void> {
    await this.#db.query(
      "UPDATE siq_payments SET challenge = $2::jsonb, updated_at = now() WHERE payment_id = $1 AND status = 'challenged'",
      [paymentId, JSON.stringify(challenge)],
    );
  }

  /**
   * challenged → evaluating at the next attempt, only if this exact challenge (id and nonce) is still open:
   * the nonce is good for one answer.
   */
  async answer(paymentId: string, c: Challenge, evidence: Evidence): Promise<PaymentRow | undefined> {
    const rows = await this.#db.query<PaymentRow & Row>(
      `UPDATE siq_payments SET status = 'evaluating', attempt = attempt + 1, evidence = $4::jsonb, updated_at = now()
       WHERE payment_id = $1 AND status = 'challenged' AND challenge->>'challenge_id' = $2
         AND challenge->>'nonce' = $3
       RETURNING *`,
      [paymentId, c.challenge_id, c.nonce, JSON.stringify(evidence)],
    );
    return rows[0];
  }

  /** The tenant's payment whose latest challenge is this one (open or not). */
  async byChallenge(tenantId: string, challengeId: string): Promise<PaymentRow | undefined> {
    const rows = await this.#db.query<PaymentRow & Row>(
      "SELECT * FROM siq_payments WHERE tenant_id = $1 AND challenge->>'challenge_id' = $2",
      [tenantId, challengeId],
    );
    return rows[0];
  }

  /** challenged → rejected, only if this exact challenge (or, with null, any) is still open. */
  async expire(paymentId: string, challengeId: string | null, code: string, message: string): Promise<boolean> {
    const rows = await this.#db.query(
      `UPDATE siq_payments SET status = 'rejected', decision = 'reject', error_details = $3::jsonb, updated_at = now()
       WHERE payment_id = $1 AND status = 'challenged' AND ($2::text IS NULL OR challenge->>'challenge_id' = $2)
       RETURNING payment_id`,
      [paymentId, challengeId, JSON.stringify({ code, message })],
    );
    return rows.length > 0;
  }

  async openChallenges(): Promise<PaymentRow[]> {
    return this.#db.query<PaymentRow & Row>("SELECT * FROM siq_payments WHERE status = 'challenged'");
  }
}
