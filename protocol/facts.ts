/**
 * The fields rules can read: the payment or event as sent, plus values
 * derived from it alone. State-backed fields (velocity, baseline, travel,
 * graph, agent) are added by the validator before evaluation. Pure and
 * public: validators derive facts to score, the coordinator to check a
 * verdict's evidence against the payment, and auditors to re-check it.
 */
import type { EventRequest } from "./schemas/event.ts";
import type { PaymentRequest } from "./schemas/payment.ts";

/** What a rule condition reads: field path → value. */
export type Facts = Record<string, unknown>;

export interface FactsOrigin {
  tenant_id: string;
  /** The payment id or event reference: observations are counted once per id. */
  id: string;
  /** When the coordinator received it (ms since the epoch): every window is measured on it. */
  time: number;
}

/** Where and when, as the validator knows it (absent: the request alone, as the coordinator sees it). */
function originFacts(origin: FactsOrigin | undefined): Facts {
  return origin
    ? { tenant_id: origin.tenant_id, id: origin.id, time: origin.time, hour: new Date(origin.time).getUTCHours() }
    : {};
}

export function paymentFacts(p: PaymentRequest, origin?: FactsOrigin): Facts {
  const metadata = (p.metadata ?? {}) as Record<string, unknown>;
  const amount = Number(p.amount);
  return {
    ...p,
    kind: "payment",
    ...originFacts(origin),
    subject: p.agent_id,
    amount,
    amount_text: p.amount,
    func_stack_hashes_count: p.func_stack_hashes.length,
    metadata,
    ip: typeof metadata.ip === "string" ? metadata.ip : undefined,
    geo: geoOf(metadata.geo),
    trace: traceFacts(p, amount),
  };
}

export function eventFacts(e: EventRequest, origin?: FactsOrigin): Facts {
  return {
    ...e,
    kind: e.kind,
    ...originFacts(origin),
    subject: e.agent_id ?? e.user_id,
    metadata: e.metadata ?? {},
  };
}

function geoOf(v: unknown): { lat: number; lon: number; country_code?: string } | undefined {
  if (!v || typeof v !== "object") return undefined;
  const g = v as Record<string, unknown>;
  return typeof g.lat === "number" && typeof g.lon === "number" ? (g as { lat: number; lon: number }) : undefined;
}

// An amount the purpose states: next to a currency sign or code ("$120", "120.50 USDC", "EUR 99").
const CURRENCY = "usdc|usdt|usd|sol|eur|gbp|dollars?|euros?";
const STATED_AMOUNT = new RegExp(
  `(?:[$€£]\\s?([0-9][0-9,]*(?:\\.[0-9]+)?))|(?:([0-9][0-9,]*(?:\\.[0-9]+)?)\\s?(?:${CURRENCY})\\b)|(?:\\b(?:${CURRENCY})\\s?([0-9][0-9,]*(?:\\.[0-9]+)?))`,
  "giu",
);
// A Solana address named in the purpose (base58, 32 to 44 characters).
const ADDRESS = /\b[1-9A-HJ-NP-Za-km-z]{32,44}\b/gu;

/** What the agent's stated reasoning says, and whether it agrees with the payment. */
export function traceFacts(p: PaymentRequest, amount: number): Facts {
  const tc = p.trace_context ?? {};
  const purpose = typeof tc.purpose === "string" ? tc.purpose.trim() : "";
  const steps = Array.isArray(tc.steps) ? tc.steps : [];
  const text = [purpose, ...steps].join("\n");
  let amounts: number[] | undefined;
  for (const m of purpose.matchAll(STATED_AMOUNT)) {
    const n = Number((m[1] ?? m[2] ?? m[3] ?? "").replaceAll(",", ""));
    if (Number.isFinite(n) && n > 0) (amounts ??= []).push(n);
  }
  const addresses: string[] = purpose.match(ADDRESS) ?? [];
  return {
    purpose,
    purpose_length: purpose.length,
    steps: steps.length,
    text,
    /** The purpose states an amount, and none is within 1% of the amount paid. */
    amount_mismatch:
      amounts !== undefined && !amounts.some((a) => Math.abs(a - amount) <= Math.max(0.01, amount * 0.01)),
    /** The purpose names an address, and it is not the receiver. */
    receiver_mismatch: addresses.length > 0 && !addresses.includes(p.receiver),
  };
}
