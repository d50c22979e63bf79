/**
 * Why a settlement failed: the codes a payment's `error_details.code` can
 * carry when its status is `failed`. Codes are permanent: never renamed,
 * reordered or reused; add new ones at the end. Each failure also carries
 * facts beside the code (balances, the chain's own error), never secrets.
 */
export const SettlementErrors = {
  /** The sender holds less than the amount (SOL or the token). */
  INSUFFICIENT_FUNDS: "the sender's balance is lower than the amount",
  /** The settler's fee payer cannot pay the network fee or rent. */
  PAYER_INSUFFICIENT_FUNDS: "the settlement fee payer cannot cover the network fee",
  /** The receiver cannot take this payment (a program, a token account or mint, or the sender itself). */
  INVALID_RECEIVER: "the receiver cannot receive this payment",
  /** A new SOL account would be left below the rent-exempt minimum. */
  AMOUNT_BELOW_RENT_MINIMUM: "the amount is below the rent-exempt minimum for a new receiver account",
  /** The amount has more decimals than the asset supports. */
  AMOUNT_PRECISION: "the amount has more decimal places than the currency supports",
  /** No mint is configured for the currency. */
  UNSUPPORTED_CURRENCY: "no settlement asset is configured for this currency",
  /** The settler holds no signing key for the sender address. */
  SENDER_NOT_CUSTODIED: "the settler holds no key for the sender address",
  /** Every transaction built for the payment expired before it landed. */
  BLOCKHASH_EXPIRED: "the transaction's blockhash expired before it was confirmed, too many times",
  /** The Solana RPC node could not be reached, and nothing was sent. */
  RPC_UNREACHABLE: "the Solana RPC node could not be reached",
  /** A token account involved is frozen by the mint's freeze authority. */
  ACCOUNT_FROZEN: "a token account involved is frozen",
  /** The transaction landed and failed for another reason (the chain's error is attached). */
  TRANSACTION_FAILED: "the transaction failed on chain",
  /** The sender is a custody wallet the payment's agent may not spend (checked again before signing). */
  WALLET_NOT_ALLOWED: "the sender is a custody wallet this agent may not spend",
} as const;

export type SettlementErrorCode = keyof typeof SettlementErrors;

/** The `error_details` of a failed settlement: a code, its message and the facts. */
export interface SettlementFailure {
  code: SettlementErrorCode;
  message: string;
  [fact: string]: unknown;
}

export function settlementFailure(
  code: SettlementErrorCode,
  facts: Record<string, unknown> = {},
  message?: string,
): SettlementFailure {
  return { ...facts, code, message: message ?? SettlementErrors[code] };
}

export function isSettlementErrorCode(code: string): code is SettlementErrorCode {
  return Object.hasOwn(SettlementErrors, code);
}
