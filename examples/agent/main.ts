/**
 * The example agent: the SDK end to end against a running network
 * (`npm start`, then `npm run example:agent`). It submits its tagged payment
 * functions for audit at start-up, has the auditor approve the reviewed ones,
 * then shows the three outcomes of tAudit:
 *
 *   1. the audited path is approved and settled;
 *   2. a modified function is challenged as unaudited;
 *   3. a revoked function is rejected.
 *
 * It exits 0 only when all three happen.
 */
import {
  createAuditorClient,
  createClient,
  PaymentChallengedError,
  PaymentRejectedError,
  SentinelIQError,
  type AuditorClient,
  type AuditRecord,
  type ChallengeHandler,
  type Payment,
  type TaggedFunction,
  tagOf,
  taggedFunctions,
} from "@sentineliq/sdk";
import { refundLegacy } from "./legacy.ts";
import { payInvoiceModified } from "./modified.ts";
import { findNetwork } from "./network.ts";
import { handleInvoice, payInvoice, type Invoice } from "./payments.ts";

const say = (s = "") => process.stdout.write(s + "\n");

/** Unaudited code cannot be talked past; anything else gets the purpose it asks for. */
const onChallenge: ChallengeHandler = ({ challenge, reasons }) => {
  say(`     challenge ${challenge.kind}: ${challenge.requested.join(", ")}`);
  if (reasons.some((r) => r.code === "UNAUDITED_CODE_PATH" || r.code === "REVOKED_CODE_PATH")) return null;
  return { purpose: "paying a reviewed invoice", logs: ["invoice checked against the purchase order"] };
};

async function main(): Promise<number> {
  const net = findNetwork();
  say(`SentinelIQ example agent → ${net.baseUrl} (from ${net.source})`);
  const client = createClient({ baseUrl: net.baseUrl, apiKey: net.apiKey, agentId: "example-agent", onChallenge });
  const auditor = createAuditorClient({ baseUrl: net.baseUrl, apiKey: net.auditorKey });

  const submitted = await client.codeSubmitted;
  say(`  submitted ${submitted.length} tagged functions for audit:`);
  const tags = taggedFunctions();
  for (const r of submitted)
    say(`     ${r.code_hash.slice(0, 16)}…  ${r.state.padEnd(8)}  ${describeTag(tags, r.code_hash)}`);

  const hashOf = (fn: unknown) => tagOf(fn)!.hash;
  for (const h of [hashOf(handleInvoice), hashOf(payInvoice)])
    await approveIfPending(auditor, h, "reviewed: pays the invoice's merchant, within budget");
  const legacy = hashOf(refundLegacy);
  await approveIfPending(auditor, legacy, "reviewed in 2024");
  const revoked = await auditor.get(legacy);
  if (revoked.state !== "revoked") await auditor.revoke(legacy, "refunds to any address without checking the order");
  say("  auditor approved handleInvoice and payInvoice, and revoked refundLegacy");
  say();

  const run = Date.now().toString(36);
  const invoice = (n: number): Invoice => ({
    id: `${run}-${n}`,
    merchant: net.receiver,
    refund_to: net.sender,
    amount: "12.50",
    from: net.sender,
  });
  const results = [
    await expect("1. audited path     ", () => handleInvoice(client, invoice(1), payInvoice), "approved"),
    await expect(
      "2. modified function",
      () => handleInvoice(client, invoice(2), payInvoiceModified),
      "challenged",
      "UNAUDITED_CODE_PATH",
    ),
    await expect(
      "3. revoked function ",
      () => refundLegacy(client, { id: run, to: net.receiver, from: net.sender, amount: "3.00" }),
      "rejected",
      "REVOKED_CODE_PATH",
    ),
  ];
  say();
  const ok = results.every(Boolean);
  say(ok ? "All three outcomes as expected." : "Not every outcome was as expected.");
  client.close();
  return ok ? 0 : 1;
}

async function approveIfPending(auditor: AuditorClient, hash: string, note: string): Promise<AuditRecord> {
  const r = await auditor.get(hash);
  return r.state === "pending" ? auditor.approve(hash, note) : r;
}

/** Runs one payment and checks its outcome (and, when refused, the reason). */
async function expect(
  label: string,
  run: () => Promise<Payment>,
  want: "approved" | "challenged" | "rejected",
  reason?: string,
): Promise<boolean> {
  let got: string;
  let payment: Payment;
  try {
    payment = await run();
    got = "approved";
  } catch (e) {
    if (e instanceof PaymentChallengedError) got = "challenged";
    else if (e instanceof PaymentRejectedError) got = "rejected";
    else {
      say(`${label}  ✗ ${e instanceof SentinelIQError ? `${e.code}: ${e.message}` : (e as Error).message}`);
      return false;
    }
    payment = e.payment;
  }
  const codes = payment.reasons.map((r) => r.code);
  const ok = got === want && (reason === undefined || codes.includes(reason));
  const settled = payment.settlement ? `, settled (${payment.settlement.network})` : "";
  say(
    `${label}  ${ok ? "✓" : "✗"} ${got}${settled}, risk ${payment.risk_level}${codes.length ? `: ${codes.join(", ")}` : ""}  [${payment.payment_id}, log ${payment.log_index}]`,
  );
  if (!ok) say(`     expected ${want}${reason ? ` with ${reason}` : ""}`);
  return ok;
}

function describeTag(tags: readonly TaggedFunction[], hash: string): string {
  const names = tags.filter((t) => t.hash === hash).map((t) => t.name);
  return names.join(", ");
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`example agent: ${err instanceof SentinelIQError ? `${err.code}: ` : ""}${err.message}\n`);
    process.exitCode = 2;
  },
);
