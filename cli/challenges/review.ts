/** An approver's decision on a challenge, and the payment's new outcome. */
import type { PaymentView, WireError } from "../../protocol/index.ts";
import { printError, printPayment } from "../pay/pay.ts";
import { call } from "../shared/client.ts";
import { resolveApproverTarget } from "../shared/credentials.ts";

export async function runReview(
  action: "approve" | "decline",
  challengeId: string,
  flags: { url?: string; approverKey?: string; note?: string; json?: boolean },
): Promise<number> {
  const target = resolveApproverTarget(flags);
  const res = await call(target, action === "approve" ? "approveChallenge" : "declineChallenge", {
    params: { challenge_id: challengeId },
    body: flags.note !== undefined ? { note: flags.note } : {},
  });
  if (flags.json) {
    process.stdout.write(res.text + "\n");
    return res.status === 200 ? 0 : 1;
  }
  if (res.status !== 200) return printError(res.status, res.body as WireError);
  process.stdout.write(`${action === "approve" ? "approved" : "declined"} ${challengeId}\n`);
  printPayment(res.body as PaymentView);
  return 0;
}
