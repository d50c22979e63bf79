/** Signing and checking verdicts: the signature covers the JCS bytes of the verdict. */
import type { Signer, Verifier } from "./crypto.ts";
import { verdictBytes, type SignedVerdict, type Verdict } from "./schemas/verdict.ts";

export function signVerdict(signer: Signer, verdict: Verdict): SignedVerdict {
  return { verdict, signature: signer.sign(verdictBytes(verdict)).toString("base64") };
}

export function verifyVerdict(verifier: Verifier, signed: SignedVerdict): boolean {
  return verifier.verify(verdictBytes(signed.verdict), Buffer.from(signed.signature, "base64"));
}
