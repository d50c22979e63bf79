/** An old refund routine. It was approved once; an auditor has since found it refunds without a check, and revokes it. */
import { paymentFunction, type Client, type Payment } from "@sentineliq/sdk";

export const refundLegacy = paymentFunction(async function refundLegacy(
  client: Client,
  order: { id: string; to: string; from: string; amount: string },
): Promise<Payment> {
  return client.pay({
    sender: order.from,
    receiver: order.to,
    amount: order.amount,
    currency: "USDC",
    debug_mode: true,
    purpose: `refund order ${order.id}`,
    idempotency_key: `refund-${order.id}`,
  });
});
