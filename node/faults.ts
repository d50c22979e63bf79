/**
 * Fault drills: a validator that misbehaves on purpose, so operators can watch
 * the quorum shrug it off. Each mode changes what the validator puts on the
 * bus, never how the honest ones behave.
 *   silent       consumes tasks, never votes
 *   slow         votes after the coordinator's deadline
 *   approve-all  votes LOW on everything
 *   forge        signs with a key that is not its own
 *   replay       re-sends an old signed verdict instead of voting
 *   equivocate   signs two different verdicts for every attempt
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { Signer, type SignedVerdict, type Verdict } from "../protocol/index.ts";

export const FaultMode = z.enum(["silent", "slow", "approve-all", "forge", "replay", "equivocate"]);
export type FaultMode = z.infer<typeof FaultMode>;

export interface Emission {
  verdict: SignedVerdict;
  msgId: string;
  delayMs: number;
}

export interface Fault {
  readonly mode: FaultMode;
  /** The verdict as this validator chooses to state it, before signing. */
  shape(v: Verdict): Verdict;
  /** The key it signs with. */
  signer(own: Signer): Signer;
  /** What it puts on the bus for one attempt, given what it signed. */
  emit(honest: SignedVerdict, sign: (v: Verdict) => SignedVerdict, msgId: string): Emission[];
}

export const HONEST: Fault = {
  mode: "silent", // unused for the honest path
  shape: (v) => v,
  signer: (own) => own,
  emit: (verdict, _sign, msgId) => [{ verdict, msgId, delayMs: 0 }],
};

export function fault(mode: FaultMode, opts: { slowMs?: number } = {}): Fault {
  const stranger = Signer.generate().signer;
  let oldest: SignedVerdict | undefined;
  const base = { mode, shape: (v: Verdict) => v, signer: (own: Signer) => own };
  switch (mode) {
    case "silent":
      return { ...base, emit: () => [] };
    case "slow":
      return { ...base, emit: (verdict, _s, msgId) => [{ verdict, msgId, delayMs: opts.slowMs ?? 5000 }] };
    case "approve-all":
      return {
        ...base,
        shape: (v) => ({ ...v, risk_level: "LOW", score: 0, reasons: [] }),
        emit: (verdict, _s, msgId) => [{ verdict, msgId, delayMs: 0 }],
      };
    case "forge":
      return { ...base, signer: () => stranger, emit: (verdict, _s, msgId) => [{ verdict, msgId, delayMs: 0 }] };
    case "replay":
      return {
        ...base,
        emit: (verdict) => {
          // Votes once, honestly; from then on it replays that first signed verdict (under fresh ids, so the
          // bus's de-duplication does not hide the attack from the coordinator).
          if (!oldest) {
            oldest = verdict;
            return [{ verdict, msgId: randomUUID(), delayMs: 0 }];
          }
          return [{ verdict: oldest, msgId: randomUUID(), delayMs: 0 }];
        },
      };
    case "equivocate":
      return {
        ...base,
        emit: (verdict, sign, msgId) => {
          const flipped = sign({
            ...verdict.verdict,
            risk_level: verdict.verdict.risk_level === "LOW" ? "CRITICAL" : "LOW",
            score: verdict.verdict.risk_level === "LOW" ? 100 : 0,
          });
          return [
            { verdict, msgId, delayMs: 0 },
            { verdict: flipped, msgId: `${msgId}:b`, delayMs: 0 },
          ];
        },
      };
  }
}
