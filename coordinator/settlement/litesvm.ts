/**
 * The LiteSVM backend: the real Solana runtime (system, SPL Token, ATA and
 * memo programs) in process, for tests and `--settlement litesvm`. Its chain
 * lives as long as the process. Mints for the configured tokens are created
 * at their configured addresses, with the fee payer as mint authority, so
 * demo wallets can be funded with real transactions.
 */
import { LiteSVM } from "litesvm";
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  generateKeyPairSigner,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  signTransactionMessageWithSigners,
  type Address,
  type Blockhash,
  type Instruction,
  type KeyPairSigner,
  type Signature,
} from "@solana/kit";
import {
  getCreateAssociatedTokenIdempotentInstruction,
  getMintEncoder,
  getMintSize,
  getMintToCheckedInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";
import type { ChainBackend, SignedTx, TxStatus } from "./chain.ts";
import { liteSvmErrorToJson } from "./classify.ts";
import type { TokenAsset } from "./config.ts";
import { tokenAccount } from "./transaction.ts";

const PAYER_LAMPORTS = 100_000n * 1_000_000_000n;
const BLOCKHASH_LIFETIME_SLOTS = 150n;

export interface LiteSvmBackend extends ChainBackend {
  readonly name: "litesvm";
  /** The runtime itself, for tests (expire a blockhash, inspect balances). */
  readonly svm: LiteSVM;
  /** Airdrops SOL and mints each configured token to the owner's token account (real transactions). */
  fund(owner: Address, amounts: { lamports: bigint; tokenUnits: Map<string, bigint> }): Promise<void>;
  tokenBalance(owner: Address, mint: Address): Promise<bigint>;
}

export async function liteSvmBackend(opts: {
  tokens: readonly TokenAsset[];
  payer?: KeyPairSigner;
}): Promise<LiteSvmBackend> {
  const svm = new LiteSVM();
  const payer = opts.payer ?? (await generateKeyPairSigner());
  airdrop(svm, payer.address, PAYER_LAMPORTS);
  for (const t of opts.tokens) createMint(svm, t, payer.address);
  // LiteSVM answers synchronously; Promise.try keeps its throws as rejections, as the interface promises.
  return {
    name: "litesvm",
    payer,
    svm,
    latestBlockhash: () =>
      Promise.try(() => ({
        blockhash: svm.latestBlockhash(),
        lastValidBlockHeight: svm.getClock().slot + BLOCKHASH_LIFETIME_SLOTS,
      })),
    // LiteSVM accepts only its latest blockhash; expireBlockhash() moves it on.
    isBlockhashValid: (blockhash: Blockhash) => Promise.try(() => blockhash === svm.latestBlockhash()),
    account: (address) =>
      Promise.try(() => {
        const a = svm.getAccount(address);
        if (!a.exists) return null;
        return {
          lamports: a.lamports,
          owner: a.programAddress,
          executable: a.executable,
          data: new Uint8Array(a.data),
        };
      }),
    rentExemptMinimum: (bytes) => Promise.try(() => svm.minimumBalanceForRentExemption(BigInt(bytes))),
    // The outcome is recorded in the runtime's history and read back through status().
    send: (tx: SignedTx) =>
      Promise.try(() => {
        svm.sendTransaction(tx.transaction);
      }),
    status: (signature) => Promise.try(() => statusOf(svm, signature)),
    fund: (owner, amounts) => fund(svm, payer, opts.tokens, owner, amounts),
    async tokenBalance(owner, mint) {
      const a = svm.getAccount(await tokenAccount(owner, mint));
      if (!a.exists) return 0n;
      return new DataView(a.data.buffer, a.data.byteOffset).getBigUint64(64, true);
    },
    close: () => Promise.resolve(),
  };
}

/** A mint at the configured address, with the fee payer as its authority. */
function createMint(svm: LiteSVM, t: TokenAsset, authority: Address): void {
  const mintSize = getMintSize();
  const data = getMintEncoder().encode({
    mintAuthority: authority,
    supply: 0n,
    decimals: t.decimals,
    isInitialized: true,
    freezeAuthority: null,
  });
  svm.setAccount({
    address: t.mint,
    data: new Uint8Array(data),
    executable: false,
    lamports: lamports(svm.minimumBalanceForRentExemption(BigInt(mintSize))),
    programAddress: TOKEN_PROGRAM_ADDRESS,
    space: BigInt(mintSize),
  });
}

function statusOf(svm: LiteSVM, signature: Signature): TxStatus {
  const meta = svm.getTransaction(signature);
  if (!meta) return { state: "unknown" };
  if ("err" in meta) return { state: "failed", err: liteSvmErrorToJson(meta.err()) };
  return { state: "confirmed" };
}

async function fund(
  svm: LiteSVM,
  payer: KeyPairSigner,
  tokens: readonly TokenAsset[],
  owner: Address,
  amounts: { lamports: bigint; tokenUnits: Map<string, bigint> },
): Promise<void> {
  if (amounts.lamports > 0n) airdrop(svm, owner, amounts.lamports);
  for (const t of tokens) {
    const units = amounts.tokenUnits.get(t.currency) ?? 0n;
    if (units === 0n) continue;
    const ata = await tokenAccount(owner, t.mint);
    await run(svm, payer, [
      getCreateAssociatedTokenIdempotentInstruction({ payer, ata, owner, mint: t.mint }),
      getMintToCheckedInstruction({
        mint: t.mint,
        token: ata,
        mintAuthority: payer,
        amount: units,
        decimals: t.decimals,
      }),
    ]);
  }
}

/** One transaction paid and signed by the fee payer; throws if the runtime refuses it. */
async function run(svm: LiteSVM, payer: KeyPairSigner, ixs: Instruction[]): Promise<void> {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
    (m) => appendTransactionMessageInstructions(ixs, m),
  );
  const r = svm.sendTransaction(await signTransactionMessageWithSigners(message));
  if ("err" in r) throw new Error(`litesvm funding failed: ${JSON.stringify(liteSvmErrorToJson(r.err()))}`);
}

function airdrop(svm: LiteSVM, to: Address, amount: bigint): void {
  const r = svm.airdrop(to, lamports(amount));
  if (!r || "err" in r)
    throw new Error(
      `litesvm airdrop of ${amount} lamports failed: ${r ? JSON.stringify(liteSvmErrorToJson(r.err())) : "no result"}`,
    );
}
