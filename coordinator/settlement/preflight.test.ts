import { address } from "@solana/kit";
import { TOKEN_PROGRAM_ADDRESS } from "@solana-program/token";
import { describe, expect, it } from "vitest";
import { USDC_MINT } from "./config.ts";
import { checkTransfer, type TransferFacts } from "./preflight.ts";

const SYSTEM = address("11111111111111111111111111111111");
const A = "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV";
const B = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
const wallet = (lamports: bigint) => ({ lamports, owner: SYSTEM, executable: false, data: new Uint8Array() });

const sol = (over: Partial<TransferFacts> = {}): TransferFacts => ({
  asset: { kind: "sol", currency: "SOL", decimals: 9 },
  units: 1_000_000_000n,
  sender: A,
  receiver: B,
  senderAccount: wallet(5_000_000_000n),
  receiverAccount: wallet(1_000_000n),
  senderTokens: null,
  rentMinimum: 890_880n,
  ...over,
});
const usdc = (over: Partial<TransferFacts> = {}) =>
  sol({
    asset: { kind: "spl", currency: "USDC", mint: USDC_MINT, decimals: 6 },
    units: 12_500_000n,
    senderTokens: 20_000_000n,
    ...over,
  });

describe("checkTransfer", () => {
  it("passes a funded SOL and a funded USDC transfer", () => {
    expect(checkTransfer(sol())).toBeUndefined();
    expect(checkTransfer(usdc())).toBeUndefined();
  });

  it("fails a sender short of SOL with the balance and the amount", () => {
    expect(checkTransfer(sol({ senderAccount: wallet(500_000_000n) }))).toMatchObject({
      code: "INSUFFICIENT_FUNDS",
      currency: "SOL",
      balance: "0.5",
      required: "1",
    });
    expect(checkTransfer(sol({ senderAccount: null }))).toMatchObject({ code: "INSUFFICIENT_FUNDS", balance: "0" });
  });

  it("fails a sender who would be left below the rent-exempt minimum", () => {
    expect(checkTransfer(sol({ senderAccount: wallet(1_000_000_100n) }))).toMatchObject({ code: "INSUFFICIENT_FUNDS" });
  });

  it("fails a sender short of tokens, or without a token account", () => {
    expect(checkTransfer(usdc({ senderTokens: 1_000_000n }))).toMatchObject({
      code: "INSUFFICIENT_FUNDS",
      balance: "1",
      required: "12.5",
    });
    expect(checkTransfer(usdc({ senderTokens: null }))).toMatchObject({ code: "INSUFFICIENT_FUNDS", balance: "0" });
  });

  it("fails invalid receivers: the sender itself, a program, a token account", () => {
    expect(checkTransfer(sol({ receiver: A }))).toMatchObject({
      code: "INVALID_RECEIVER",
      reason: "the receiver is the sender",
    });
    expect(checkTransfer(sol({ receiverAccount: { ...wallet(1n), executable: true } }))).toMatchObject({
      code: "INVALID_RECEIVER",
    });
    expect(
      checkTransfer(usdc({ receiverAccount: { ...wallet(2_039_280n), owner: TOKEN_PROGRAM_ADDRESS } })),
    ).toMatchObject({
      code: "INVALID_RECEIVER",
    });
  });

  it("fails SOL to a new account below the rent-exempt minimum", () => {
    expect(checkTransfer(sol({ receiverAccount: null, units: 1000n }))).toMatchObject({
      code: "AMOUNT_BELOW_RENT_MINIMUM",
    });
    expect(checkTransfer(sol({ receiverAccount: null }))).toBeUndefined();
  });
});
