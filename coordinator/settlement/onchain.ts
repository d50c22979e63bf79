/**
 * Settles one order on Solana, exactly once, however often it is delivered:
 * a transaction's signature is recorded before it is sent; on every delivery
 * the recorded signature's status is checked first.
 * A new transaction is built only when the recorded one can no longer land
 * (its blockhash expired and the cluster never saw it).
 */
import {
  getBase64Encoder,
  getTransactionDecoder,
  type Address,
  type Blockhash,
  type KeyPairSigner,
  type Signature,
} from "@solana/kit";
import {
  settlementFailure,
  type SettlementFailure,
  type SettlementOrder,
  type SettlementOutcome,
} from "../../protocol/index.ts";
import { assetFor, isFailure, toBaseUnits } from "./assets.ts";
import { ChainUnreachable, type ChainBackend, type SignedTx } from "./chain.ts";
import { classifyTxError } from "./classify.ts";
import type { SettlementConfig } from "./config.ts";
import { checkTransfer, gatherFacts } from "./preflight.ts";
import { outcomeOf, type SettlementRow, type SettlementStore } from "./store.ts";
import { buildTransfer } from "./transaction.ts";

export interface OnChainDeps {
  chain: ChainBackend;
  store: SettlementStore;
  wallets: ReadonlyMap<string, KeyPairSigner>;
  config: Pick<SettlementConfig, "tokens" | "memoProgram" | "confirmTimeoutMs" | "pollMs" | "maxBuilds">;
  /** Called once a transaction is recorded and before it is sent (tests use it to stage crashes). */
  beforeSend?: (tx: SignedTx) => Promise<void>;
}

/** Settled or failed; or `retry`: nothing final is known yet, deliver the order again later. */
export type OnChainResult = { outcome: SettlementOutcome } | { retry: string };

const UNREACHABLE_DELIVERIES = 3;
const RESEND_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function settleOnChain(order: SettlementOrder, delivery: number, d: OnChainDeps): Promise<OnChainResult> {
  let row = (await d.store.get(order.payment_id)) ?? unopened(order, d.chain.name);
  const deadline = Date.now() + d.config.confirmTimeoutMs;
  let sentAt = 0;
  const fail = (f: SettlementFailure, hash?: string) => finish(d, order, { status: "failed", error: f, hash });
  const reload = async () => (await d.store.get(order.payment_id)) ?? unopened(order, d.chain.name);
  try {
    for (;;) {
      const done = outcomeOf(row);
      if (done) return { outcome: done };
      if (!row.signature) {
        const built = await build(order, d, row);
        if ("failure" in built) return fail(built.failure);
        if (!built.recorded) {
          row = await reload();
          continue;
        }
        row = built.row;
        sentAt = await send(d, built.tx);
        continue;
      }
      const sig = row.signature as Signature;
      const status = await d.chain.status(sig);
      if (status.state === "confirmed") return finish(d, order, { status: "settled", hash: sig });
      if (status.state === "failed") return fail(classifyTxError(status.err, row.layout!), sig);
      if (status.state === "unknown" && !(await d.chain.isBlockhashValid(row.blockhash as Blockhash))) {
        // Expired, and still unseen when asked after expiry: it can never land. Build anew, or give up.
        if ((await d.chain.status(sig)).state !== "unknown") continue;
        if (row.builds >= d.config.maxBuilds)
          return fail(settlementFailure("BLOCKHASH_EXPIRED", { builds: row.builds }));
        const built = await build(order, d, row);
        if ("failure" in built) return fail(built.failure);
        row = built.recorded ? built.row : await reload();
        if (built.recorded) sentAt = await send(d, built.tx);
        continue;
      }
      if (status.state === "unknown" && Date.now() - sentAt >= RESEND_MS) {
        // Still valid and unseen (never sent, or dropped): the same bytes again, same signature.
        sentAt = await send(d, storedTx(row));
        continue;
      }
      if (Date.now() > deadline) return { retry: `not confirmed within ${d.config.confirmTimeoutMs} ms` };
      await sleep(d.config.pollMs);
    }
  } catch (e) {
    if (!(e instanceof ChainUnreachable)) throw e;
    // Nothing signed yet: after a few deliveries it is safe to say so. Once signed, only the chain can tell.
    if (!row.signature && delivery >= UNREACHABLE_DELIVERIES)
      return fail(settlementFailure("RPC_UNREACHABLE", { detail: e.message }));
    return { retry: e.message };
  }
}

type Built =
  { failure: SettlementFailure } | { recorded: true; row: SettlementRow; tx: SignedTx } | { recorded: false };

async function build(order: SettlementOrder, d: OnChainDeps, row: SettlementRow): Promise<Built> {
  const asset = assetFor(order.currency, d.config.tokens);
  if (isFailure(asset)) return { failure: asset };
  const units = toBaseUnits(order.amount, asset.decimals);
  if (isFailure(units)) return { failure: units };
  const sender = d.wallets.get(order.sender);
  if (!sender) return { failure: settlementFailure("SENDER_NOT_CUSTODIED", { sender: order.sender }) };
  const receiver = order.receiver as Address;
  const problem = checkTransfer(await gatherFacts(d.chain, asset, units, sender.address, receiver));
  if (problem) return { failure: problem };
  const lifetime = await d.chain.latestBlockhash();
  const { tx, layout } = await buildTransfer(
    { paymentId: order.payment_id, asset, units, sender, receiver },
    d.chain.payer,
    d.config.memoProgram,
    lifetime,
  );
  if (!(await d.store.recordTx(order, d.chain.name, row.signature, tx, layout))) return { recorded: false };
  const next: SettlementRow = {
    ...row,
    signature: tx.signature,
    wire: tx.wire,
    blockhash: tx.blockhash,
    layout,
    builds: row.builds + 1,
  };
  return { recorded: true, row: next, tx };
}

/** The recorded transaction, from its stored wire bytes (a resend may follow a restart). */
function storedTx(row: SettlementRow): SignedTx {
  const transaction = getTransactionDecoder().decode(getBase64Encoder().encode(row.wire!));
  return {
    transaction,
    wire: row.wire,
    signature: row.signature,
    blockhash: row.blockhash,
    lastValidBlockHeight: 0n,
  } as SignedTx;
}

async function send(d: OnChainDeps, tx: SignedTx): Promise<number> {
  if (d.beforeSend) await d.beforeSend(tx);
  await d.chain.send(tx);
  return Date.now();
}

async function finish(
  d: OnChainDeps,
  order: SettlementOrder,
  r: { status: "settled" | "failed"; hash?: string | undefined; error?: SettlementFailure },
): Promise<OnChainResult> {
  const settlement: SettlementOutcome["settlement"] = { network: "solana" };
  if (r.hash) settlement.transaction_hash = r.hash;
  if (r.status === "settled") settlement.settled_at = new Date().toISOString();
  const outcome: SettlementOutcome = { payment_id: order.payment_id, status: r.status, settlement };
  if (r.error) outcome.error_details = r.error;
  if (await d.store.finish(outcome, order, d.chain.name)) return { outcome };
  // Someone else finished it first: theirs is the answer.
  return { outcome: outcomeOf((await d.store.get(order.payment_id))!)! };
}

/** A payment with no row yet: nothing was ever signed for it. */
function unopened(order: SettlementOrder, backend: string): SettlementRow {
  return {
    payment_id: order.payment_id,
    tenant_id: order.tenant_id,
    network: "solana",
    backend,
    status: "sending",
    signature: null,
    wire: null,
    blockhash: null,
    layout: null,
    builds: 0,
    transaction_hash: null,
    error_details: null,
    settled_at: null,
  };
}
