/** The fields rules can read about a payment: the request as sent, plus a few derived values. */
import type { PaymentRequest } from "../../protocol/schemas/payment.ts";
import type { Facts } from "./compile.ts";

export function paymentFacts(p: PaymentRequest): Facts {
  return {
    ...p,
    amount: Number(p.amount),
    amount_text: p.amount,
    func_stack_hashes_count: p.func_stack_hashes.length,
    metadata: p.metadata ?? {},
  };
}
