/**
 * Scoring and signing one batch of tasks, with each task's failure kept to
 * itself: a task that cannot be scored, or whose verdict cannot be signed (no
 * canonical form), is set aside with its error while the rest are signed
 * together, under one signature, as before. The fast path is unchanged: only
 * a batch whose signing throws is signed again verdict by verdict to find out
 * which one is at fault.
 */
import type { SignedVerdict, Verdict } from "../protocol/index.ts";

export interface BatchOutcome<P> {
  signed: [P, SignedVerdict][];
  failed: [P, unknown][];
}

export function scoreAndSign<P>(
  items: readonly P[],
  score: (p: P) => Verdict,
  sign: (verdicts: Verdict[]) => SignedVerdict[],
): BatchOutcome<P> {
  const scored: [P, Verdict][] = [];
  const failed: [P, unknown][] = [];
  for (const p of items) {
    try {
      scored.push([p, score(p)]);
    } catch (err) {
      failed.push([p, err]);
    }
  }
  try {
    const verdicts = sign(scored.map(([, v]) => v));
    return { signed: scored.map(([p], i) => [p, verdicts[i]!]), failed };
  } catch (batchErr) {
    if (scored.length === 1) return { signed: [], failed: [...failed, [scored[0]![0], batchErr]] };
  }
  const signed: [P, SignedVerdict][] = [];
  for (const [p, v] of scored) {
    try {
      signed.push([p, sign([v])[0]!]);
    } catch (err) {
      failed.push([p, err]);
    }
  }
  return { signed, failed };
}
