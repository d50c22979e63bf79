/** The webhook event a decided payment makes: `payment.rejected` or `payment.challenged`, or none. */
import type { WebhookEvent } from "../../protocol/index.ts";
import type { PaymentRow } from "../store/index.ts";

export function paymentEvent(done: PaymentRow): Omit<WebhookEvent, "created_at"> | undefined {
  if (done.status !== "rejected" && done.status !== "challenged") return undefined;
  const type = done.status === "rejected" ? "payment.rejected" : "payment.challenged";
  return {
    // One event per payment and attempt: published twice, it is de-duplicated by this id.
    id: `${type}:${done.payment_id}:${done.attempt}`,
    type,
    tenant: done.tenant_id,
    data: {
      payment_id: done.payment_id,
      agent_id: done.request.agent_id,
      attempt: done.attempt,
      status: done.status,
      risk_level: done.risk_level,
      reasons: done.reasons,
      error_details: done.error_details,
      log_index: done.log_index,
    },
  };
}
