import { describe, expect, it } from "vitest";
import { classifyTxError, liteSvmErrorToJson, type TxLayout } from "./classify.ts";

const sol: TxLayout = { roles: ["transfer", "memo"], receiverIndex: 2 };
const spl: TxLayout = { roles: ["create_receiver_account", "transfer", "memo"], receiverIndex: 3 };

describe("classifyTxError", () => {
  it.each([
    ["system transfer short of lamports", { InstructionError: [0, { Custom: 1 }] }, sol, "INSUFFICIENT_FUNDS"],
    ["token transfer short of tokens", { InstructionError: [1, { Custom: 1 }] }, spl, "INSUFFICIENT_FUNDS"],
    ["frozen token account", { InstructionError: [1, { Custom: 17 }] }, spl, "ACCOUNT_FROZEN"],
    ["receiver token account cannot be created", { InstructionError: [0, "IllegalOwner"] }, spl, "INVALID_RECEIVER"],
    ["destination of the wrong owner", { InstructionError: [1, "InvalidAccountOwner"] }, spl, "INVALID_RECEIVER"],
    ["fee payer empty", "InsufficientFundsForFee", sol, "PAYER_INSUFFICIENT_FUNDS"],
    ["blockhash gone", "BlockhashNotFound", sol, "BLOCKHASH_EXPIRED"],
    ["new receiver below rent", { InsufficientFundsForRent: { account_index: 2 } }, sol, "AMOUNT_BELOW_RENT_MINIMUM"],
    ["sender left below rent", { InsufficientFundsForRent: { account_index: 1 } }, sol, "INSUFFICIENT_FUNDS"],
    ["memo failure", { InstructionError: [1, "InvalidInstructionData"] }, sol, "TRANSACTION_FAILED"],
  ] as const)("%s → %s", (_name, err, layout, code) => {
    const f = classifyTxError(err, layout);
    expect(f.code).toBe(code);
    expect(f.chain_error).toEqual(err);
    expect(f.message).toBeTypeOf("string");
  });
});

describe("liteSvmErrorToJson", () => {
  it("names fieldless transaction errors as the RPC does", () => {
    expect(liteSvmErrorToJson(7)).toBe("BlockhashNotFound");
    expect(liteSvmErrorToJson(4)).toBe("InsufficientFundsForFee");
  });

  it("shapes instruction errors as the RPC does", () => {
    const custom = { index: 1, err: () => ({ code: 1 }) };
    expect(liteSvmErrorToJson(custom)).toEqual({ InstructionError: [1, { Custom: 1 }] });
    const named = { index: 0, err: () => 44 };
    expect(liteSvmErrorToJson(named)).toEqual({ InstructionError: [0, "InvalidAccountOwner"] });
  });

  it("keeps the account index of rent errors", () => {
    class TransactionErrorInsufficientFundsForRent {
      accountIndex = 2;
    }
    expect(liteSvmErrorToJson(new TransactionErrorInsufficientFundsForRent())).toEqual({
      InsufficientFundsForRent: { account_index: 2 },
    });
  });
});
