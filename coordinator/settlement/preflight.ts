/**
 * Checks before a transaction is built, so a payment that cannot settle fails
 * with a precise reason and its facts, and nothing is sent. `checkTransfer` is
 * pure; `gatherFacts` reads the accounts it needs from the chain. The chain's
 * own error still decides when the world changes in between (classify.ts).
 */
import type { Address } from "@solana/kit";
import { TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import { settlementFailure, type SettlementFailure } from "../../protocol/index.ts";
import { fromBaseUnits, type Asset } from "./assets.ts";
import type { AccountFacts, ChainBackend } from "./chain.ts";
import { tokenAccount } from "./transaction.ts";

export interface TransferFacts {
  asset: Asset;
  units: bigint;
  sender: string;
  receiver: string;
  senderAccount: AccountFacts | null;
  receiverAccount: AccountFacts | null;
  /** SPL only: the sender's token balance (null when it has no token account). */
  senderTokens: bigint | null;
  /** Rent-exempt minimum of a plain (0-byte) account. */
  rentMinimum: bigint;
}

/** The receiver-side checks, shared with debug mode (which has no chain accounts). */
export function checkParties(sender: string, receiver: string): SettlementFailure | undefined {
  if (sender === receiver) return settlementFailure("INVALID_RECEIVER", { reason: "the receiver is the sender" });
  return undefined;
}

export function checkTransfer(f: TransferFacts): SettlementFailure | undefined {
  const parties = checkParties(f.sender, f.receiver);
  if (parties) return parties;
  const r = f.receiverAccount;
  if (r?.executable) return settlementFailure("INVALID_RECEIVER", { reason: "the receiver is a program" });
  if (r && r.owner === TOKEN_PROGRAM_ADDRESS) {
    return settlementFailure("INVALID_RECEIVER", {
      reason: "the receiver is a token account or mint; pay its owner's wallet address",
    });
  }
  const required = fromBaseUnits(f.units, f.asset.decimals);
  if (f.asset.kind === "sol") {
    const balance = f.senderAccount?.lamports ?? 0n;
    const facts = { currency: "SOL", balance: fromBaseUnits(balance, 9), required };
    if (balance < f.units) return settlementFailure("INSUFFICIENT_FUNDS", facts);
    const left = balance - f.units;
    if (left > 0n && left < f.rentMinimum) {
      return settlementFailure("INSUFFICIENT_FUNDS", {
        ...facts,
        reason: "the sender would be left below the rent-exempt minimum",
      });
    }
    if (!r && f.units < f.rentMinimum) {
      return settlementFailure("AMOUNT_BELOW_RENT_MINIMUM", { minimum: fromBaseUnits(f.rentMinimum, 9), required });
    }
    return undefined;
  }
  const tokens = f.senderTokens ?? 0n;
  if (tokens < f.units) {
    return settlementFailure("INSUFFICIENT_FUNDS", {
      currency: f.asset.currency,
      balance: fromBaseUnits(tokens, f.asset.decimals),
      required,
    });
  }
  return undefined;
}

export async function gatherFacts(
  chain: ChainBackend,
  asset: Asset,
  units: bigint,
  sender: Address,
  receiver: Address,
): Promise<TransferFacts> {
  const [senderAccount, receiverAccount, rentMinimum] = await Promise.all([
    chain.account(sender),
    chain.account(receiver),
    chain.rentExemptMinimum(0),
  ]);
  let senderTokens: bigint | null = null;
  if (asset.kind === "spl") {
    const ata = await chain.account(await tokenAccount(sender, asset.mint));
    senderTokens =
      ata && ata.owner === TOKEN_PROGRAM_ADDRESS && ata.data.length >= 72
        ? new DataView(ata.data.buffer, ata.data.byteOffset).getBigUint64(64, true)
        : null;
  }
  return { asset, units, sender, receiver, senderAccount, receiverAccount, senderTokens, rentMinimum };
}
