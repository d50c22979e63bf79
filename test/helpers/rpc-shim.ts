/**
 * A Solana JSON-RPC endpoint over LiteSVM, on a loopback port, for testing
 * the RPC backend through real HTTP and @solana/kit's real RPC client. It
 * answers the six methods the settler uses, in the RPC's documented shapes.
 * Not a validator: one bank, no forks; `confirmAfter` makes a landed
 * transaction report `processed` for that many status queries first.
 */
import { createServer, type Server } from "node:http";
import { getBase58Decoder, getBase64Encoder, getTransactionDecoder, type Address, type Signature } from "@solana/kit";
import type { LiteSvmBackend } from "../../coordinator/settlement/litesvm.ts";
import { liteSvmErrorToJson } from "../../coordinator/settlement/classify.ts";

export interface RpcShim {
  url: string;
  /** JSON-RPC methods called, in order. */
  calls: string[];
  close(): Promise<void>;
}

export async function rpcShim(backend: LiteSvmBackend, opts: { confirmAfter?: number } = {}): Promise<RpcShim> {
  const svm = backend.svm;
  const calls: string[] = [];
  const seen = new Map<string, number>();
  const context = () => ({ slot: Number(svm.getClock().slot) });
  const methods: Record<string, (params: any[]) => unknown> = {
    getLatestBlockhash: () => ({
      context: context(),
      value: { blockhash: svm.latestBlockhash(), lastValidBlockHeight: Number(svm.getClock().slot) + 150 },
    }),
    isBlockhashValid: ([bh]) => ({ context: context(), value: bh === svm.latestBlockhash() }),
    getMinimumBalanceForRentExemption: ([n]) => Number(svm.minimumBalanceForRentExemption(BigInt(n))),
    getAccountInfo: ([addr]) => {
      const a = svm.getAccount(addr as Address);
      if (!a.exists) return { context: context(), value: null };
      const data = Buffer.from(a.data).toString("base64");
      return {
        context: context(),
        value: {
          data: [data, "base64"],
          executable: a.executable,
          lamports: Number(a.lamports),
          owner: a.programAddress,
          rentEpoch: 0,
          space: Number(a.space),
        },
      };
    },
    sendTransaction: ([wire]) => {
      const tx = getTransactionDecoder().decode(getBase64Encoder().encode(wire));
      svm.sendTransaction(tx);
      return getBase58Decoder().decode(Object.values(tx.signatures)[0]!);
    },
    getSignatureStatuses: ([sigs]) => ({
      context: context(),
      value: (sigs as string[]).map((sig) => {
        const meta = svm.getTransaction(sig as Signature);
        if (!meta) return null;
        const n = (seen.get(sig) ?? 0) + 1;
        seen.set(sig, n);
        const err = "err" in meta ? liteSvmErrorToJson(meta.err()) : null;
        const status = n <= (opts.confirmAfter ?? 0) ? "processed" : "confirmed";
        return {
          slot: context().slot,
          confirmations: status === "processed" ? 0 : 1,
          err,
          confirmationStatus: status,
          status: err ? { Err: err } : { Ok: null },
        };
      }),
    }),
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const { id, method, params } = JSON.parse(body) as { id: unknown; method: string; params: unknown[] };
      calls.push(method);
      const fn = methods[method];
      const out = fn
        ? { jsonrpc: "2.0", id, result: fn(params ?? []) }
        : { jsonrpc: "2.0", id, error: { code: -32601, message: `method not found: ${method}` } };
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, calls, close: () => new Promise((r) => server.close(() => r())) };
}
