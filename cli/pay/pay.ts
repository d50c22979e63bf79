/** `sentineliq pay`: submit one payment from flags or a JSON file and print the outcome. */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { PaymentView, WireError } from "../../protocol/index.ts";
import { call } from "../shared/client.ts";
import { devCredentials, resolveTarget } from "../shared/credentials.ts";
import { UsageError } from "../shared/flags.ts";

export interface PayFlags {
  file?: string;
  url?: string;
  apiKey?: string;
  amount?: string;
  currency?: string;
  sender?: string;
  receiver?: string;
  agent?: string;
  country?: string;
  purpose?: string;
  funcHash?: string[];
  idempotencyKey?: string;
  live?: boolean;
  json?: boolean;
}

export async function runPay(flags: PayFlags): Promise<number> {
  const target = resolveTarget(flags);
  const base: Record<string, unknown> = flags.file
    ? requestFile(flags.file)
    : { ...(devCredentials()?.example_payment ?? {}) };
  if (!flags.file) base.idempotency_key = `cli-${randomUUID()}`;
  const set = (k: string, v: unknown) => v !== undefined && (base[k] = v);
  set("idempotency_key", flags.idempotencyKey);
  set("amount", flags.amount);
  set("currency", flags.currency);
  set("sender", flags.sender);
  set("receiver", flags.receiver);
  set("agent_id", flags.agent);
  if (flags.live) base.debug_mode = false;
  if (flags.funcHash?.length) base.func_stack_hashes = flags.funcHash;
  if (flags.country) base.metadata = { ...(base.metadata as object), country_code: flags.country };
  if (flags.purpose) base.trace_context = { ...(base.trace_context as object), purpose: flags.purpose };

  const res = await call(target, "createPayment", { body: base });
  if (flags.json) {
    process.stdout.write(res.text + "\n");
    return res.status === 200 ? 0 : 1;
  }
  if (res.status !== 200) return printError(res.status, res.body as WireError);
  printPayment(res.body as PaymentView);
  return 0;
}

/** --file: one JSON object, sent as it is (the coordinator checks it). */
function requestFile(file: string): Record<string, unknown> {
  const body: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new UsageError(`${file}: a payment request is one JSON object`);
  return body as Record<string, unknown>;
}

export function printError(status: number, e: WireError): number {
  process.stdout.write(`✗ ${status} ${e.code}: ${e.message}\n`);
  for (const i of e.error_details?.issues ?? []) process.stdout.write(`    ${i.path}: ${i.message}\n`);
  return 1;
}

export function printPayment(p: PaymentView): void {
  const mark = p.status === "failed" ? "✗" : p.decision === "approve" ? "✓" : p.decision === "reject" ? "✗" : "?";
  process.stdout.write(
    `${mark} ${p.payment_id}  ${p.status}  risk ${p.risk_level ?? "-"}  decision ${p.decision ?? "-"}${p.attempt ? `  attempt ${p.attempt}` : ""}\n`,
  );
  for (const r of p.reasons) process.stdout.write(`    ${r.code} (${r.validators} validators): ${r.message}\n`);
  if (p.challenge?.kind === "step_up")
    process.stdout.write(
      `    challenge step_up: an approver of the organisation confirms it with \`sentineliq challenges approve ${p.challenge.challenge_id}\` (or declines it; until ${p.challenge.expires_at})\n`,
    );
  else if (p.challenge)
    process.stdout.write(
      `    challenge ${p.challenge.kind}: answer with \`sentineliq respond ${p.payment_id}\` (asks for ${p.challenge.requested.join(", ")}; until ${p.challenge.expires_at})\n`,
    );
  if (p.settlement)
    process.stdout.write(`    settlement: ${p.settlement.network} ${p.settlement.transaction_hash ?? ""}\n`);
  if (p.error_details) {
    const { code, message, ...facts } = p.error_details;
    const extra = Object.entries(facts)
      .filter(([, v]) => typeof v !== "object")
      .map(([k, v]) => `${k} ${String(v)}`);
    process.stdout.write(`    ${code}: ${message}${extra.length ? ` (${extra.join(", ")})` : ""}\n`);
  }
  if (p.log_index !== undefined) process.stdout.write(`    log index: ${p.log_index}\n`);
}
