/** `sentineliq pay` and `sentineliq respond`: an agent's side of a payment, from the command line. */
import type { Command } from "commander";
import { z } from "zod";
import { collect, f, parseFlags } from "../shared/flags.ts";

const PayFlags = z.object({
  ...f.target,
  file: f.text,
  amount: f.text,
  currency: f.text,
  sender: f.text,
  receiver: f.text,
  agent: f.text,
  country: f.text,
  purpose: f.text,
  funcHash: f.list,
  idempotencyKey: f.text,
  live: f.on,
  json: f.on,
});

const RespondFlags = z.object({
  ...f.target,
  purpose: f.text,
  reference: f.text,
  log: f.list,
  json: f.on,
});

const withTarget = (c: Command) =>
  c
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--api-key <key>", "agent API key (SENTINELIQ_API_KEY)");

export function registerPay(program: Command): void {
  withTarget(
    program
      .command("respond <payment_id>")
      .description("answer a payment's open challenge; the network evaluates it again with the evidence")
      .option("--purpose <text>", "proof of purpose: what the payment is for")
      .option("--reference <ref>", "proof of purpose: the invoice or order your trace_context names")
      .option("--log <line>", "logs: a log line (repeatable)", collect)
      .option("--json", "print the raw answer"),
  ).action(async (paymentId: string, raw: unknown) => {
    const o = parseFlags(RespondFlags, raw);
    const { runRespond } = await import("./respond.ts");
    process.exitCode = await runRespond(paymentId, o);
  });

  withTarget(
    program
      .command("pay")
      .description("submit a payment (from --file, or the dev example changed by flags) and print the outcome")
      .option("--file <json>", "request body as JSON")
      .option("--amount <decimal>")
      .option("--currency <code>")
      .option("--sender <address>")
      .option("--receiver <address>")
      .option("--agent <id>")
      .option("--country <CC>", "metadata.country_code")
      .option("--purpose <text>", "trace_context.purpose")
      .option("--func-hash <hex>", "a func_stack_hashes entry (repeatable)", collect)
      .option("--idempotency-key <key>")
      .option("--live", "debug_mode false")
      .option("--json", "print the raw answer"),
  ).action(async (raw: unknown) => {
    const o = parseFlags(PayFlags, raw);
    const { runPay } = await import("./pay.ts");
    process.exitCode = await runPay(o);
  });
}
