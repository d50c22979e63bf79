/**
 * Consistency proofs from the log's public route (GET /v1/log/proof/consistency), for a witness comparing
 * checkpoints of different sizes. A refusal (4xx) or an answer that is not a proof is the log's answer, and
 * counts against it; a network error or a 5xx is only "not now".
 */
import { logRoutes, ProofResponse } from "../protocol/index.ts";

export type ProofAnswer =
  | { kind: "proof"; hashes: Buffer[] }
  /** The log answered, but with no usable proof: evidence when both checkpoints carry its signature. */
  | { kind: "refused"; answer: string }
  /** Unreachable or failing: try again with a later checkpoint. */
  | { kind: "unavailable"; reason: string };

export type ConsistencyProofs = (first: number, second: number) => Promise<ProofAnswer>;

const MAX_ANSWER = 64 * 1024;

export function httpConsistencyProofs(logUrl: string, timeoutMs = 3000): ConsistencyProofs {
  const base = logUrl.replace(/\/+$/, "");
  return async (first, second) => {
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${base}${logRoutes.logConsistency.path}?first=${first}&second=${second}`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      return { kind: "unavailable", reason: (err as Error).message };
    }
    if (res.status >= 500) return { kind: "unavailable", reason: `HTTP ${res.status}` };
    const answer = `HTTP ${res.status} ${text.slice(0, 500)}`;
    if (res.status !== 200 || text.length > MAX_ANSWER) return { kind: "refused", answer };
    try {
      const hashes = ProofResponse.parse(JSON.parse(text)).hashes.map((h) => Buffer.from(h, "base64"));
      return { kind: "proof", hashes };
    } catch {
      return { kind: "refused", answer };
    }
  };
}
