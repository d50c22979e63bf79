/**
 * Event verdicts: signing, checking, and the quorum rule for events, which
 * is the payments' own (`decideQuorum`): it reads a verdict's level, score,
 * reasons and validator id only, and event verdicts carry the same. Public,
 * so an auditor recomputes every logged event decision from its verdicts.
 */
import type { Signer, Verifier } from "./crypto.ts";
import { decideQuorum, type QuorumResult } from "./quorum.ts";
import type { QuorumPolicy } from "./schemas/decision.ts";
import { eventVerdictBytes, type EventVerdict, type SignedEventVerdict } from "./schemas/event.ts";
import type { SignedVerdict } from "./schemas/verdict.ts";

export function signEventVerdict(signer: Signer, verdict: EventVerdict): SignedEventVerdict {
  return { verdict, signature: signer.sign(eventVerdictBytes(verdict)).toString("base64") };
}

export function verifyEventVerdict(verifier: Verifier, signed: SignedEventVerdict): boolean {
  return verifier.verify(eventVerdictBytes(signed.verdict), Buffer.from(signed.signature, "base64"));
}

export type EventQuorumResult = Omit<QuorumResult, "counted">;

/** `verdicts` are verified and from distinct members. `final`: all have voted or time is up. */
export function decideEventQuorum(
  policy: QuorumPolicy,
  verdicts: SignedEventVerdict[],
  final: boolean,
): EventQuorumResult | null {
  const result = decideQuorum(policy, verdicts as unknown as SignedVerdict[], final);
  if (!result) return null;
  const { counted: _, ...rest } = result;
  return rest;
}
