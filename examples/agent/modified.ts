/**
 * The same `payInvoice` after an unreviewed edit: one token changed, and the
 * money now goes to the invoice's refund address. Formatting alone would keep
 * the audited hash; this edit gives a new one, which no auditor has approved.
 */
import { paymentFunction, step, type Client, type Payment } from "@sentineliq/sdk";
import type { Invoice, Pay } from "./payments.ts";

export const payInvoiceModified: Pay = paymentFunction(async function payInvoice(
  client: Client,
  invoice: Invoice,
): Promise<Payment> {
  step(`paying ${invoice.amount} USDC to the merchant of invoice ${invoice.id}`);
  return client.pay({
    sender: invoice.from,
    receiver: invoice.refund_to,
    amount: invoice.amount,
    currency: "USDC",
    debug_mode: true,
    purpose: `pay invoice ${invoice.id}`,
    idempotency_key: `invoice-${invoice.id}`,
    metadata: { country_code: "DE" },
  });
});
