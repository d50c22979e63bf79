/** The payment service's own refusals. */
import { SiqError, type PaymentRequest } from "../../protocol/index.ts";

export function reused(req: PaymentRequest): SiqError {
  return new SiqError(
    "IDEMPOTENCY_KEY_REUSED",
    `idempotency_key "${req.idempotency_key}" was already used by agent ${req.agent_id} for a different request`,
  );
}
