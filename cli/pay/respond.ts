/** `sentineliq respond <payment_id>`: answer a payment's open challenge and print the new outcome. */
import type { PaymentView, WireError } from "../../protocol/index.ts";
import { call } from "../shared/client.ts";
import { resolveTarget } from "../shared/credentials.ts";
import { printError, printPayment } from "./pay.ts";

export async function runRespond(
  paymentId: string,
  flags: {
    url?: string;
    apiKey?: string;
    purpose?: string;
    reference?: string;
    log?: string[];
    json?: boolean;
  },
): Promise<number> {
  const target = resolveTarget(flags);
  const shown = await call(target, "getPayment", { params: { payment_id: paymentId } });
  if (shown.status !== 200) return printError(shown.status, shown.body as WireError);
  const p = shown.body as PaymentView;
  if (p.status !== "challenged" || !p.challenge) {
    process.stdout.write(`✗ ${paymentId} has no open challenge (status ${p.status})\n`);
    return 1;
  }
  const responses: Record<string, unknown> = {};
  if (flags.purpose) responses.purpose = flags.purpose;
  if (flags.reference) responses.reference = flags.reference;
  if (flags.log?.length) responses.logs = flags.log;
  process.stdout.write(`answering ${p.challenge.kind} (asked for: ${p.challenge.requested.join(", ")})\n`);
  const res = await call(target, "challengeResponse", {
    params: { payment_id: paymentId },
    body: {
      challenge_id: p.challenge.challenge_id,
      nonce: p.challenge.nonce,
      responses,
    },
  });
  if (flags.json) {
    process.stdout.write(res.text + "\n");
    return res.status === 200 ? 0 : 1;
  }
  if (res.status !== 200) return printError(res.status, res.body as WireError);
  printPayment(res.body as PaymentView);
  return 0;
}
