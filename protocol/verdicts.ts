/**
 * Signing and checking verdicts.
 * - one verdict: Ed25519 over JCS(verdict);
 * - a batch: Ed25519 over JCS({type: "sentineliq.verdict_batch.v2", validator_id, size, root}), where root is
 *   the RFC 6962 tree over SHA-256(0x00 ‖ JCS(verdict_i)); each verdict carries its index and inclusion path.
 *   Batches signed under the legacy tag it replaced (`LegacyTags.verdict_batch`, in older log entries) still verify.
 * Under load a validator signs once per batch and the coordinator verifies once per batch (the result is
 * cached), which is what lets a validator network keep up on two cores.
 */
import { canonicalBytes } from "./canonical.ts";
import type { Signer, Verifier } from "./crypto.ts";
import { leafHash, rootFromPath, treeWithPaths } from "./log/merkle.ts";
import { verdictBytes, type SignedVerdict, type Verdict } from "./schemas/verdict.ts";
import { LegacyTags, TypeTags } from "./tags.ts";

type BatchTag = typeof TypeTags.verdict_batch | typeof LegacyTags.verdict_batch;

export function batchHeadBytes(
  validatorId: string,
  size: number,
  root: Uint8Array,
  tag: BatchTag = TypeTags.verdict_batch,
) {
  return canonicalBytes({
    type: tag,
    validator_id: validatorId,
    size,
    root: Buffer.from(root).toString("hex"),
  });
}

export function signVerdict(signer: Signer, verdict: Verdict): SignedVerdict {
  return { verdict, signature: signer.sign(verdictBytes(verdict)).toString("base64") };
}

/** Signs verdicts of one validator: one signature for the lot when there are several. */
export function signVerdicts(signer: Signer, verdicts: Verdict[]): SignedVerdict[] {
  if (verdicts.length <= 1) return verdicts.map((v) => signVerdict(signer, v));
  const { root, paths } = treeWithPaths(verdicts.map((v) => leafHash(verdictBytes(v))));
  const signature = signer.sign(batchHeadBytes(verdicts[0]!.validator_id, verdicts.length, root)).toString("base64");
  return verdicts.map((verdict, index) => ({
    verdict,
    signature,
    batch: { size: verdicts.length, index, path: paths[index]!.map((h) => h.toString("hex")) },
  }));
}

const verifiedHeads = new WeakMap<Verifier, Map<string, boolean>>();

export function verifyVerdict(verifier: Verifier, signed: SignedVerdict): boolean {
  const sig = Buffer.from(signed.signature, "base64");
  const b = signed.batch;
  if (!b) return verifier.verify(verdictBytes(signed.verdict), sig);
  const root = rootFromPath(
    leafHash(verdictBytes(signed.verdict)),
    b.index,
    b.size,
    b.path.map((h) => Buffer.from(h, "hex")),
  );
  if (!root) return false;
  let cache = verifiedHeads.get(verifier);
  if (!cache) verifiedHeads.set(verifier, (cache = new Map<string, boolean>()));
  const key = `${signed.verdict.validator_id}|${b.size}|${root.toString("hex")}|${signed.signature}`;
  let ok = cache.get(key);
  if (ok === undefined) {
    const head = (tag: BatchTag) => batchHeadBytes(signed.verdict.validator_id, b.size, root, tag);
    ok = verifier.verify(head(TypeTags.verdict_batch), sig) || verifier.verify(head(LegacyTags.verdict_batch), sig);
    if (cache.size >= 4096) cache.delete(cache.keys().next().value!);
    cache.set(key, ok);
  }
  return ok;
}
