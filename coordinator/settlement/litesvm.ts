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
  const mintSize = getMintSize();
  for (const t of opts.tokens) {
    const data = getMintEncoder().encode({
      mintAuthority: payer.address,
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

  const run = async (ixs: Instruction[]) => {
    const message = pipe(
      createTransactionMessage({ version: 0 }),
      (m) => setTransactionMessageFeePayerSigner(payer, m),
      (m) => svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
      (m) => appendTransactionMessageInstructions(ixs, m),
    );
    const r = svm.sendTransaction(await signTransactionMessageWithSigners(message));
    if ("err" in r) throw new Error(`litesvm funding failed: ${JSON.stringify(liteSvmErrorToJson(r.err()))}`);
  };

  return {
    name: "litesvm",
    payer,
    svm,
    async latestBlockhash() {
      return { blockhash: svm.latestBlockhash(), lastValidBlockHeight: svm.getClock().slot + BLOCKHASH_LIFETIME_SLOTS };
    },
    // LiteSVM accepts only its latest blockhash; expireBlockhash() moves it on.
    async isBlockhashValid(blockhash: Blockhash) {
      return blockhash === svm.latestBlockhash();
    },
    async account(address) {
      const a = svm.getAccount(address);
      if (!a.exists) return null;
      return { lamports: a.lamports, owner: a.programAddress, executable: a.executable, data: new Uint8Array(a.data) };
    },
    async rentExemptMinimum(bytes) {
      return svm.minimumBalanceForRentExemption(BigInt(bytes));
    },
    async send(tx: SignedTx) {
      // The outcome is recorded in the runtime's history and read back through status().
      svm.sendTransaction(tx.transaction);
    },
    async status(signature): Promise<TxStatus> {
      const meta = svm.getTransaction(signature);
      if (!meta) return { state: "unknown" };
      if ("err" in meta) return { state: "failed", err: liteSvmErrorToJson(meta.err()) };
      return { state: "confirmed" };
    },
    async fund(owner, amounts) {
      if (amounts.lamports > 0n) airdrop(svm, owner, amounts.lamports);
      for (const t of opts.tokens) {
        const units = amounts.tokenUnits.get(t.currency) ?? 0n;
        if (units === 0n) continue;
        const ata = await tokenAccount(owner, t.mint);
        await run([
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
    },
    async tokenBalance(owner, mint) {
      const a = svm.getAccount(await tokenAccount(owner, mint));
      if (!a.exists) return 0n;
      return new DataView(a.data.buffer, a.data.byteOffset).getBigUint64(64, true);
    },
    async close() {},
  };
}

function airdrop(svm: LiteSVM, to: Address, amount: bigint): void {
  const r = svm.airdrop(to, lamports(amount));
  if (!r || "err" in r)
    throw new Error(
      `litesvm airdrop of ${amount} lamports failed: ${r ? JSON.stringify(liteSvmErrorToJson(r.err())) : "no result"}`,
    );
}
