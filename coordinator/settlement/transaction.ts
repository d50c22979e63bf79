/**
 * Builds and signs one settlement transaction with @solana/kit: a SOL or SPL
 * transfer and a memo carrying the payment id. Signing is local, so the
 * signature is known (and persisted) before anything is sent.
 */
import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getCompiledTransactionMessageDecoder,
  getSignatureFromTransaction,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Address,
  type Blockhash,
  type Instruction,
  type KeyPairSigner,
} from "@solana/kit";
import { getAddMemoInstruction } from "@solana-program/memo";
import { getTransferSolInstruction } from "@solana-program/system";
import {
  findAssociatedTokenPda,
  getCreateAssociatedTokenIdempotentInstruction,
  getTransferCheckedInstruction,
  TOKEN_PROGRAM_ADDRESS,
} from "@solana-program/token";
import type { Asset } from "./assets.ts";
import type { SignedTx } from "./chain.ts";
import type { IxRole, TxLayout } from "./classify.ts";

export interface Transfer {
  paymentId: string;
  asset: Asset;
  units: bigint;
  sender: KeyPairSigner;
  receiver: Address;
}

export async function tokenAccount(owner: Address, mint: Address): Promise<Address> {
  const [ata] = await findAssociatedTokenPda({ owner, mint, tokenProgram: TOKEN_PROGRAM_ADDRESS });
  return ata;
}

export async function buildTransfer(
  t: Transfer,
  payer: KeyPairSigner,
  memoProgram: Address,
  lifetime: { blockhash: Blockhash; lastValidBlockHeight: bigint },
): Promise<{ tx: SignedTx; layout: TxLayout }> {
  const ixs: Instruction[] = [];
  const roles: IxRole[] = [];
  let credited: Address = t.receiver;
  if (t.asset.kind === "sol") {
    ixs.push(getTransferSolInstruction({ source: t.sender, destination: t.receiver, amount: t.units }));
    roles.push("transfer");
  } else {
    const mint = t.asset.mint;
    const [from, to] = await Promise.all([tokenAccount(t.sender.address, mint), tokenAccount(t.receiver, mint)]);
    credited = to;
    ixs.push(getCreateAssociatedTokenIdempotentInstruction({ payer, ata: to, owner: t.receiver, mint }));
    roles.push("create_receiver_account");
    ixs.push(
      getTransferCheckedInstruction({
        source: from,
        mint,
        destination: to,
        authority: t.sender,
        amount: t.units,
        decimals: t.asset.decimals,
      }),
    );
    roles.push("transfer");
  }
  ixs.push(getAddMemoInstruction({ memo: t.paymentId }, { programAddress: memoProgram }));
  roles.push("memo");

  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
    (m) => appendTransactionMessageInstructions(ixs, m),
  );
  const transaction = await signTransactionMessageWithSigners(message);
  const compiled = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes);
  return {
    tx: {
      transaction,
      wire: getBase64EncodedWireTransaction(transaction),
      signature: getSignatureFromTransaction(transaction),
      blockhash: lifetime.blockhash,
      lastValidBlockHeight: lifetime.lastValidBlockHeight,
    },
    layout: { roles, receiverIndex: compiled.staticAccounts.indexOf(credited) },
  };
}
