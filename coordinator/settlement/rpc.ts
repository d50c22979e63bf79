/**
 * The RPC backend: a Solana cluster (devnet, mainnet, a local validator)
 * through its JSON-RPC API. Transactions are sent with preflight skipped and
 * no RPC-side retries: the settler's own status check decides every retry.
 */
import { createSolanaRpc, getBase64Encoder, type Commitment, type KeyPairSigner } from "@solana/kit";
import { ChainUnreachable, type ChainBackend, type TxError, type TxStatus } from "./chain.ts";

const RANK: Record<Commitment, number> = { processed: 0, confirmed: 1, finalized: 2 };

export function rpcBackend(opts: {
  url: string;
  commitment: Commitment;
  payer: KeyPairSigner;
  timeoutMs?: number;
}): ChainBackend {
  const rpc = createSolanaRpc(opts.url);
  const commitment = opts.commitment;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const ask = async <T>(what: string, req: { send(o?: { abortSignal?: AbortSignal }): Promise<T> }): Promise<T> => {
    try {
      return await req.send({ abortSignal: AbortSignal.timeout(timeoutMs) });
    } catch (cause) {
      throw new ChainUnreachable(`${what} failed at ${new URL(opts.url).host}: ${(cause as Error).message}`, { cause });
    }
  };

  return {
    name: "rpc",
    payer: opts.payer,
    async latestBlockhash() {
      const { value } = await ask("getLatestBlockhash", rpc.getLatestBlockhash({ commitment }));
      return { blockhash: value.blockhash, lastValidBlockHeight: value.lastValidBlockHeight };
    },
    async isBlockhashValid(blockhash) {
      // Judged at `confirmed` or lower: a blockhash invalid there cannot be used by any later block.
      const c: Commitment = RANK[commitment] > RANK.confirmed ? "confirmed" : commitment;
      return (await ask("isBlockhashValid", rpc.isBlockhashValid(blockhash, { commitment: c }))).value;
    },
    async account(address) {
      const { value } = await ask("getAccountInfo", rpc.getAccountInfo(address, { encoding: "base64", commitment }));
      if (!value) return null;
      return {
        lamports: value.lamports,
        owner: value.owner,
        executable: value.executable,
        data: new Uint8Array(getBase64Encoder().encode(value.data[0])),
      };
    },
    async rentExemptMinimum(bytes) {
      return ask("getMinimumBalanceForRentExemption", rpc.getMinimumBalanceForRentExemption(BigInt(bytes)));
    },
    async send(tx) {
      await ask(
        "sendTransaction",
        rpc.sendTransaction(tx.wire, { encoding: "base64", skipPreflight: true, maxRetries: 0n }),
      );
    },
    async status(signature): Promise<TxStatus> {
      const { value } = await ask(
        "getSignatureStatuses",
        rpc.getSignatureStatuses([signature], { searchTransactionHistory: true }),
      );
      const s = value[0];
      if (!s) return { state: "unknown" };
      if (!s.confirmationStatus || RANK[s.confirmationStatus] < RANK[commitment]) return { state: "pending" };
      return s.err ? { state: "failed", err: s.err as TxError } : { state: "confirmed" };
    },
    async close() {},
  };
}
