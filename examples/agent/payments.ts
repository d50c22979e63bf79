/**
 * The agent's payment code, tagged for tAudit. `handleInvoice` decides to pay
 * and `payInvoice` pays, so a payment made through them carries both hashes.
 * These are the functions the auditor reviewed and approved.
 */
import { paymentFunction, step, type Client, type Payment } from "@sentineliq/sdk";

export interface Invoice {
  id: string;
  merchant: string;
  refund_to: string;
  amount: string;
  from: string;
}

export type Pay = (client: Client, invoice: Invoice) => Promise<Payment>;

export const payInvoice: Pay = paymentFunction(async function payInvoice(
  client: Client,
  invoice: Invoice,
): Promise<Payment> {
  step(`paying ${invoice.amount} USDC to the merchant of invoice ${invoice.id}`);
  return client.pay({
    sender: invoice.from,
    receiver: invoice.merchant,
    amount: invoice.amount,
    currency: "USDC",
    debug_mode: true,
    purpose: `pay invoice ${invoice.id}`,
    idempotency_key: `invoice-${invoice.id}`,
    metadata: { country_code: "DE" },
  });
});

export const handleInvoice = paymentFunction(async function handleInvoice(
  client: Client,
  invoice: Invoice,
  pay: Pay,
): Promise<Payment> {
  step(`read invoice ${invoice.id}`);
  if (Number(invoice.amount) > 1000) throw new Error(`invoice ${invoice.id} is over the agent's budget`);
  step("amount is within budget");
  return pay(client, invoice);
});
