/**
 * What the settler needs from a Solana cluster, so one exactly-once procedure
 * runs against LiteSVM (in process) and against an RPC node alike.
 */
import type {
  Address,
  Base64EncodedWireTransaction,
  Blockhash,
  KeyPairSigner,
  Signature,
  Transaction,
} from "@solana/kit";

/** A transaction error in the RPC's JSON shape: "BlockhashNotFound", { InstructionError: [1, { Custom: 1 }] }, … */
export type TxError = string | Record<string, unknown>;

export type TxStatus =
  /** Never seen by the cluster (or forgotten): it may still land while its blockhash is valid. */
  | { state: "unknown" }
  /** Seen, but not yet at the configured commitment. */
  | { state: "pending" }
  | { state: "confirmed" }
  | { state: "failed"; err: TxError };

export interface AccountFacts {
  lamports: bigint;
  owner: Address;
  executable: boolean;
  data: Uint8Array;
}

export interface SignedTx {
  transaction: Transaction;
  wire: Base64EncodedWireTransaction;
  signature: Signature;
  blockhash: Blockhash;
  lastValidBlockHeight: bigint;
}

export interface ChainBackend {
  readonly name: "litesvm" | "rpc";
  readonly payer: KeyPairSigner;
  latestBlockhash(): Promise<{ blockhash: Blockhash; lastValidBlockHeight: bigint }>;
  /** False once no new block can include a transaction with this blockhash. */
  isBlockhashValid(blockhash: Blockhash): Promise<boolean>;
  account(address: Address): Promise<AccountFacts | null>;
  rentExemptMinimum(bytes: number): Promise<bigint>;
  /** Hands the transaction to the cluster; the outcome is learnt from `status`. Throws ChainUnreachable. */
  send(tx: SignedTx): Promise<void>;
  status(signature: Signature): Promise<TxStatus>;
  close(): Promise<void>;
}

/** The cluster could not be asked: nothing is known, so nothing may be concluded. */
export class ChainUnreachable extends Error {
  constructor(message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = "ChainUnreachable";
  }
}
