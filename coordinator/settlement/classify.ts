/**
 * Pure: maps a Solana transaction error to a settlement failure code. The
 * instruction layout is known (see transaction.ts), so an error's instruction
 * index says which step failed: the receiver's token account, the transfer or
 * the memo.
 */
import { settlementFailure, type SettlementFailure } from "../../protocol/index.ts";
import type { TxError } from "./chain.ts";

export type IxRole = "create_receiver_account" | "transfer" | "memo";

/** System program: ResultWithNegativeLamports. SPL Token: InsufficientFunds, AccountFrozen. */
const SYSTEM_NEGATIVE_LAMPORTS = 1;
const TOKEN_INSUFFICIENT_FUNDS = 1;
const TOKEN_ACCOUNT_FROZEN = 17;

export interface TxLayout {
  roles: IxRole[];
  /** Account index of the receiver in the message (for rent errors). */
  receiverIndex: number;
}

export function classifyTxError(err: TxError, layout: TxLayout): SettlementFailure {
  const chain_error = err;
  if (typeof err === "string") {
    if (err === "InsufficientFundsForFee" || err === "InvalidAccountForFee")
      return settlementFailure("PAYER_INSUFFICIENT_FUNDS", { chain_error });
    if (err === "BlockhashNotFound") return settlementFailure("BLOCKHASH_EXPIRED", { chain_error });
    return settlementFailure("TRANSACTION_FAILED", { chain_error });
  }
  const rent = err.InsufficientFundsForRent as { account_index?: number } | undefined;
  if (rent) {
    return rent.account_index === layout.receiverIndex
      ? settlementFailure("AMOUNT_BELOW_RENT_MINIMUM", { chain_error })
      : settlementFailure("INSUFFICIENT_FUNDS", { chain_error });
  }
  const ix = err.InstructionError as [number, unknown] | undefined;
  if (ix) {
    const [index, inner] = ix;
    const role = layout.roles[index];
    const custom = typeof inner === "object" && inner !== null ? (inner as { Custom?: number }).Custom : undefined;
    if (role === "transfer") {
      if (custom === SYSTEM_NEGATIVE_LAMPORTS || custom === TOKEN_INSUFFICIENT_FUNDS || inner === "InsufficientFunds") {
        return settlementFailure("INSUFFICIENT_FUNDS", { chain_error });
      }
      if (custom === TOKEN_ACCOUNT_FROZEN) return settlementFailure("ACCOUNT_FROZEN", { chain_error });
      if (inner === "InvalidAccountOwner" || inner === "IllegalOwner" || inner === "InvalidAccountData") {
        return settlementFailure("INVALID_RECEIVER", { chain_error });
      }
    }
    if (role === "create_receiver_account") {
      if (inner === "InsufficientFunds" || custom === SYSTEM_NEGATIVE_LAMPORTS)
        return settlementFailure("PAYER_INSUFFICIENT_FUNDS", { chain_error });
      return settlementFailure("INVALID_RECEIVER", { chain_error });
    }
  }
  return settlementFailure("TRANSACTION_FAILED", { chain_error });
}

const TX_FIELDLESS = (
  "AccountInUse AccountLoadedTwice AccountNotFound ProgramAccountNotFound InsufficientFundsForFee InvalidAccountForFee " +
  "AlreadyProcessed BlockhashNotFound CallChainTooDeep MissingSignatureForFee InvalidAccountIndex SignatureFailure " +
  "InvalidProgramForExecution SanitizeFailure ClusterMaintenance AccountBorrowOutstanding WouldExceedMaxBlockCostLimit " +
  "UnsupportedVersion InvalidWritableAccount WouldExceedMaxAccountCostLimit WouldExceedAccountDataBlockLimit " +
  "TooManyAccountLocks AddressLookupTableNotFound InvalidAddressLookupTableOwner InvalidAddressLookupTableData " +
  "InvalidAddressLookupTableIndex InvalidRentPayingAccount WouldExceedMaxVoteCostLimit WouldExceedAccountDataTotalLimit " +
  "MaxLoadedAccountsDataSizeExceeded ResanitizationNeeded InvalidLoadedAccountsDataSizeLimit UnbalancedTransaction " +
  "ProgramCacheHitMaxLimit CommitCancelled"
).split(" ");

const IX_FIELDLESS = (
  "GenericError InvalidArgument InvalidInstructionData InvalidAccountData AccountDataTooSmall InsufficientFunds " +
  "IncorrectProgramId MissingRequiredSignature AccountAlreadyInitialized UninitializedAccount UnbalancedInstruction " +
  "ModifiedProgramId ExternalAccountLamportSpend ExternalAccountDataModified ReadonlyLamportChange ReadonlyDataModified " +
  "DuplicateAccountIndex ExecutableModified RentEpochModified NotEnoughAccountKeys AccountDataSizeChanged " +
  "AccountNotExecutable AccountBorrowFailed AccountBorrowOutstanding DuplicateAccountOutOfSync InvalidError " +
  "ExecutableDataModified ExecutableLamportChange ExecutableAccountNotRentExempt UnsupportedProgramId CallDepth " +
  "MissingAccount ReentrancyNotAllowed MaxSeedLengthExceeded InvalidSeeds InvalidRealloc ComputationalBudgetExceeded " +
  "PrivilegeEscalation ProgramEnvironmentSetupFailure ProgramFailedToComplete ProgramFailedToCompile Immutable " +
  "IncorrectAuthority AccountNotRentExempt InvalidAccountOwner ArithmeticOverflow UnsupportedSysvar IllegalOwner " +
  "MaxAccountsDataAllocationsExceeded MaxAccountsExceeded MaxInstructionTraceLengthExceeded " +
  "BuiltinProgramsMustConsumeComputeUnits BorshIoError"
).split(" ");

/** LiteSVM's native error objects → the RPC's JSON shape, so one classifier serves both backends. */
export function liteSvmErrorToJson(err: unknown): TxError {
  if (typeof err === "number") return TX_FIELDLESS[err] ?? `TransactionError(${err})`;
  const e = err as Record<string, unknown> & { err?: () => unknown; constructor: { name: string } };
  if (typeof e.err === "function" && typeof e.index === "number") {
    const inner = e.err();
    let json: unknown;
    if (typeof inner === "number") json = IX_FIELDLESS[inner] ?? `InstructionError(${inner})`;
    else if (typeof (inner as { code?: unknown }).code === "number")
      json = { Custom: (inner as { code: number }).code };
    else {
      // LiteSVM's BorshIoError carries `msg: string`; anything else is not a message worth repeating.
      const msg = (inner as { msg?: unknown }).msg;
      json = { BorshIoError: typeof msg === "string" ? msg : "" };
    }
    return { InstructionError: [e.index, json] };
  }
  if (typeof e.accountIndex === "number") {
    const name = e.constructor.name.includes("Restricted")
      ? "ProgramExecutionTemporarilyRestricted"
      : "InsufficientFundsForRent";
    return { [name]: { account_index: e.accountIndex } };
  }
  if (typeof e.index === "number") return { DuplicateInstruction: e.index };
  return String(err);
}
