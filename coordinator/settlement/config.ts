/**
 * Settlement configuration, part of the coordinator's (parsed once, frozen).
 * `backend` settles live (non-debug) payments; debug payments always go to the
 * simulated ledger and never touch a chain.
 */
import { address, type Address as SolanaAddress } from "@solana/kit";
import { z } from "zod";
import { Address, Amount, Currency } from "../../protocol/index.ts";
import { WalletFile } from "./custody.ts";

/** A checked base58 address, branded as @solana/kit's Address. */
const SolAddress = Address.transform((s): SolanaAddress => address(s));

/** Memo v2: the memo program LiteSVM loads (the memo package's default id is not loaded there). */
export const MEMO_PROGRAM = address("MemoSq4gqABAXKb96qnH8TysNcWxMyWCqXgDLGmfcHr");
/** The mainnet USDC mint; LiteSVM creates a mint at this address, an RPC backend is pointed at the real one. */
export const USDC_MINT = address("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v");

export const TokenAsset = z.object({
  currency: Currency,
  mint: SolAddress,
  decimals: z.number().int().min(0).max(9),
});
export type TokenAsset = z.infer<typeof TokenAsset>;

export const SettlementConfig = z
  .object({
    /** none: live payments stay `approved`; litesvm: the real runtime in process; rpc: a Solana cluster. */
    backend: z.enum(["none", "litesvm", "rpc"]).default("none"),
    rpcUrl: z.url({ protocol: /^https?$/ }).optional(),
    commitment: z.enum(["processed", "confirmed", "finalized"]).default("confirmed"),
    /** Fee payer keypair (solana-keygen JSON: 64 numbers). litesvm makes one when absent. */
    payerKeyFile: z.string().min(1).optional(),
    /**
     * Keypair files of the sender wallets the settler signs for (custody), each bound to a tenant and the
     * agent ids that may spend it: `{ file, tenant, agent_ids }` (a bare path: a wallet no one may spend).
     */
    walletFiles: z.array(WalletFile).default([]),
    memoProgram: SolAddress.default(MEMO_PROGRAM),
    /** SPL tokens by currency; SOL is native. */
    tokens: z.array(TokenAsset).default([{ currency: "USDC", mint: USDC_MINT, decimals: 6 }]),
    /** litesvm: fund every custody wallet at start, so live payments settle with no network. */
    fundWallets: z.object({ sol: Amount, tokens: Amount }).optional(),
    /** How long a payment answer waits for its settlement before answering `approved`. */
    waitMs: z.number().int().min(0).default(4000),
    /** How long one delivery polls for confirmation before handing the order back for later. */
    confirmTimeoutMs: z.number().int().min(100).default(30_000),
    pollMs: z.number().int().min(10).default(400),
    /** New transactions built after blockhash expiry before the payment fails BLOCKHASH_EXPIRED. */
    maxBuilds: z.number().int().min(1).max(20).default(3),
    concurrency: z.number().int().min(1).max(1024).default(64),
    /** Debug mode: the simulated ledger opens every unseen account with this balance, per currency. */
    simulatedOpeningBalance: Amount.default("1000000"),
  })
  .superRefine((c, ctx) => {
    if (c.backend !== "rpc") return;
    if (!c.rpcUrl)
      ctx.addIssue({ code: "custom", path: ["rpcUrl"], message: "the rpc backend needs rpcUrl (SOLANA_RPC_URL)" });
    if (!c.payerKeyFile)
      ctx.addIssue({
        code: "custom",
        path: ["payerKeyFile"],
        message: "the rpc backend needs payerKeyFile (SOLANA_PAYER_KEYPAIR)",
      });
  });
export type SettlementConfig = Readonly<z.infer<typeof SettlementConfig>>;
