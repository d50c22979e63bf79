/**
 * `sentineliq rules evaluate --amlsim <dir>`: streams an AMLSim folder
 * (transactions.csv, nodes.csv) through a validator's state and a pack, in
 * time order, and measures detection against the per-account isFraud labels:
 * an account is flagged when a rule fires on a payment (an alert, as transaction
 * monitoring raises for investigators; `minLevel` can ask for more) and the rule implicates it: fan-in implicates the receiver (the collector), fan-out the
 * sender, a cycle every account on it, and any other reason both parties.
 */
import { createReadStream, existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { scoreFacts, ValidatorState, PackSchedule } from "../../node/index.ts";
import { levelRank, type PaymentRequest, type RiskLevel } from "../../protocol/index.ts";
import { paymentFacts, type CompiledPack } from "../../rules/index.ts";

export interface AmlsimResult {
  accounts_flagged: number;
  precision: number;
  recall: number;
}

export interface AmlsimDetail extends AmlsimResult {
  transactions: number;
  fraud_accounts: number;
  true_positives: number;
  payments_flagged: number;
  /** Per reason code: payments it fired on at the flagging level, accounts they flag, and how many are fraud. */
  reasons: Record<string, { payments: number; accounts: number; precision: number }>;
}

const DAY_MS = 86_400_000;
// The AMLSim transfers carry no agent context: give each a plain purpose and an audited code path,
// so that only what the transfers themselves show (amounts, graph, velocity, behaviour) can flag them.
// Accounts stand in for addresses: validators do not check address syntax, the API edge does.
const AUDITED = "e57eb157d61a56f8d32a82fa47d04e96e531734430c80f6cb6b38d49137429f0";

export async function evaluateAmlsim(
  dir: string,
  pack: CompiledPack,
  opts: { minLevel?: RiskLevel; onProgress?: (done: number, total: number) => void } = {},
): Promise<AmlsimDetail> {
  for (const f of ["transactions.csv", "nodes.csv"])
    if (!existsSync(join(dir, f))) throw new Error(`${dir} has no ${f} (an AMLSim output folder)`);
  const fraud = new Set<string>();
  await eachRow(join(dir, "nodes.csv"), (r, h) => {
    if (r[h.isFraud!] === "1") fraud.add(r[h.nodeid!]!);
  });
  const txs: Transfer[] = [];
  await eachRow(join(dir, "transactions.csv"), (r, h) => {
    txs.push({ s: r[h.sourceNodeId!]!, r: r[h.targetNodeId!]!, v: Number(r[h.value!]), t: Number(r[h.time!]) });
  });
  txs.sort((a, b) => a.t - b.t); // stable: file order within a step
  const min = levelRank(opts.minLevel ?? "LOW");
  const state = new ValidatorState({ maxIds: txs.length + 1, recent: 1 });
  const c = { state, packs: new PackSchedule(pack) };
  const flagged = new Set<string>();
  const byReason = new Map<string, { payments: number; accounts: Set<string> }>();
  let paymentsFlagged = 0;
  let step = -1;
  let inStep = 0;
  txs.forEach((tx, i) => {
    if (tx.t !== step) [step, inStep] = [tx.t, 0];
    // A step is a day with no time of day: its transfers keep their order, 10 ms apart.
    const origin = { tenant_id: "amlsim", id: `tx-${i}`, time: tx.t * DAY_MS + inStep++ * 10 };
    const facts = paymentFacts(transferRequest(tx, i), origin);
    const { result } = scoreFacts(c, facts);
    if (result.reasons.length > 0 && levelRank(result.risk_level) >= min) {
      paymentsFlagged++;
      const cycle = ((facts.graph as { cycle_path?: string[] } | undefined)?.cycle_path ?? []).map((a) => a.slice(5));
      for (const r of result.reasons) {
        const implicated = implicatedBy(r.code, tx, cycle);
        const b = byReason.get(r.code) ?? { payments: 0, accounts: new Set<string>() };
        b.payments++;
        for (const a of implicated) {
          b.accounts.add(a);
          flagged.add(a);
        }
        byReason.set(r.code, b);
      }
    }
    if (i % 5000 === 0) opts.onProgress?.(i, txs.length);
  });
  opts.onProgress?.(txs.length, txs.length);
  const hits = (set: Set<string>) => [...set].filter((a) => fraud.has(a)).length;
  const tp = hits(flagged);
  const reasons = Object.fromEntries(
    [...byReason].map(([code, b]) => [
      code,
      { payments: b.payments, accounts: b.accounts.size, precision: round(hits(b.accounts) / b.accounts.size) },
    ]),
  );
  return {
    accounts_flagged: flagged.size,
    precision: flagged.size ? round(tp / flagged.size) : 0,
    recall: fraud.size ? round(tp / fraud.size) : 0,
    transactions: txs.length,
    fraud_accounts: fraud.size,
    true_positives: tp,
    payments_flagged: paymentsFlagged,
    reasons,
  };
}

interface Transfer {
  s: string;
  r: string;
  v: number;
  t: number;
}

function transferRequest(tx: Transfer, i: number): PaymentRequest {
  return {
    idempotency_key: `amlsim-${i}`,
    agent_id: `acct-${tx.s}`,
    sender: `acct-${tx.s}`,
    receiver: `acct-${tx.r}`,
    amount: tx.v.toFixed(2),
    currency: "USD",
    debug_mode: true,
    trace_context: { purpose: "account transfer" },
    func_stack_hashes: [AUDITED],
  };
}

/** The accounts a reason points at: the receiver of a fan-in, the sender of a fan-out, a cycle's members, else both. */
function implicatedBy(code: string, tx: Transfer, cycle: string[]): string[] {
  if (code === "FAN_IN") return [tx.r];
  if (code === "FAN_OUT") return [tx.s];
  if (code === "PAYMENT_CYCLE") return cycle;
  return [tx.s, tx.r];
}

async function eachRow(file: string, fn: (row: string[], header: Record<string, number>) => void): Promise<void> {
  let header: Record<string, number> | undefined;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    if (!line) continue;
    const cells = line.split(",");
    if (!header) header = Object.fromEntries(cells.map((c, i) => [c.trim(), i]));
    else fn(cells, header);
  }
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
