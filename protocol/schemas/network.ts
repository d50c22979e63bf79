/**
 * The validator set, from one file: who may vote (id, key, weight,
 * committees), how many faults it tolerates (n ≥ 3f + 1, enforced), which
 * named quorum each outcome needs, and which committee evaluates each tier.
 */
import { z } from "zod";
import { ValidatorId } from "./fields.ts";
import type { QuorumPolicy } from "./decision.ts";
import { AuditorEntry } from "../audit/statement.ts";

export const ValidatorEntry = z.object({
  id: ValidatorId,
  public_key: z.string().regex(/^[0-9a-f]{64}$/, "hex of a 32-byte Ed25519 public key"),
  weight: z.number().positive().max(100).default(1),
  committees: z.array(z.string().regex(/^[a-z][a-z0-9_-]*$/)).default([]),
});
export type ValidatorEntry = z.infer<typeof ValidatorEntry>;

/** Named quorums (f = faults tolerated): "f+1", "2f+1", "byzantine" = ⌊(n+f)/2⌋+1, "n-f", or a count. */
export const QuorumName = z.union([z.enum(["f+1", "2f+1", "byzantine", "n-f"]), z.number().int().min(1)]);
export type QuorumName = z.infer<typeof QuorumName>;

export const Tiers = ["easy", "medium", "hard"] as const;
export type Tier = (typeof Tiers)[number];

export const ValidatorSet = z
  .object({
    validators: z.array(ValidatorEntry).min(1),
    /** Faults tolerated; default the most n allows, ⌊(n−1)/3⌋. */
    f: z.number().int().min(0).optional(),
    quorum: z
      .object({
        /** Legacy "k of n": the approval quorum as a count. */
        k: z.number().int().min(1).optional(),
        approve: QuorumName.default("byzantine"),
        escalate: QuorumName.default("f+1"),
        reject: QuorumName.default("f+1"),
      })
      .default({ approve: "byzantine", escalate: "f+1", reject: "f+1" }),
    /**
     * The auditor set: whose signed statements approve or revoke code hashes. With it, the coordinator takes
     * only signed approvals and revocations, and `sentineliq log verify` fails an audit entry none of them signed.
     */
    auditors: z.array(AuditorEntry).optional(),
    /** Tier → committee name (a committee is every validator listing it); absent tiers use the full set. */
    tiers: z
      .object({ easy: z.string().optional(), medium: z.string().optional(), hard: z.string().optional() })
      .default({}),
  })
  .superRefine((set, ctx) => {
    const ids = new Set(set.validators.map((v) => v.id));
    if (ids.size !== set.validators.length) ctx.addIssue({ code: "custom", message: "validator ids must be unique" });
    const keys = new Set(set.validators.map((v) => v.public_key));
    if (keys.size !== set.validators.length) ctx.addIssue({ code: "custom", message: "validator keys must be unique" });
    const n = set.validators.length;
    const f = faultsTolerated(set);
    if (n < 3 * f + 1)
      ctx.addIssue({
        code: "custom",
        path: ["f"],
        message: `n = ${n} validators cannot tolerate f = ${f} faults: n ≥ 3f + 1 requires n ≥ ${3 * f + 1}`,
      });
    for (const q of ["approve", "escalate", "reject"] as const) {
      const size = quorumSize(set.quorum.k !== undefined && q === "approve" ? set.quorum.k : set.quorum[q], n, f);
      if (size > n)
        ctx.addIssue({ code: "custom", path: ["quorum", q], message: `quorum ${q} = ${size} exceeds n = ${n}` });
    }
    for (const [tier, committee] of Object.entries(set.tiers)) {
      const members = set.validators.filter((v) => v.committees.includes(committee)).length;
      if (members === 0)
        ctx.addIssue({ code: "custom", path: ["tiers", tier], message: `no validator is in committee "${committee}"` });
    }
  });
export type ValidatorSet = z.infer<typeof ValidatorSet>;

export function faultsTolerated(set: { validators: unknown[]; f?: number | undefined }): number {
  return set.f ?? Math.floor((set.validators.length - 1) / 3);
}

export function quorumSize(q: QuorumName, n: number, f: number): number {
  if (typeof q === "number") return q;
  if (q === "f+1") return f + 1;
  if (q === "2f+1") return 2 * f + 1;
  if (q === "byzantine") return Math.floor((n + f) / 2) + 1;
  return n - f;
}
export type ValidatorSetInput = z.input<typeof ValidatorSet>;

/** The policy for one evaluation: the whole set, or a committee of it, at the current weights. */
export function policyFor(
  set: ValidatorSet,
  failClosed: "challenge" | "reject",
  opts: { members?: string[]; weights?: Record<string, number> } = {},
): QuorumPolicy {
  const n = set.validators.length;
  const f = faultsTolerated(set);
  const approve = quorumSize(set.quorum.k ?? set.quorum.approve, n, f);
  const members = opts.members ?? set.validators.map((v) => v.id);
  const weights = opts.weights ?? Object.fromEntries(set.validators.map((v) => [v.id, v.weight]));
  const label = (q: QuorumName) => (typeof q === "number" ? String(q) : q);
  if (members.length < n) {
    // A committee (easy tier) approves only unanimously; anything else goes to the whole set.
    const m = members.length;
    return {
      name: `committee ${m}/${m} of ${n}`,
      n,
      f,
      approve: m,
      escalate: 1,
      reject: m + 1,
      fail_closed: failClosed,
      members,
      weights: pick(weights, members),
    };
  }
  return {
    name: `approve ${set.quorum.k !== undefined ? approve : label(set.quorum.approve)}=${approve}/${n} (f=${f})`,
    n,
    f,
    approve,
    escalate: quorumSize(set.quorum.escalate, n, f),
    reject: quorumSize(set.quorum.reject, n, f),
    fail_closed: failClosed,
    members,
    weights: pick(weights, members),
  };
}

function pick(weights: Record<string, number>, ids: string[]): Record<string, number> {
  return Object.fromEntries(ids.map((id) => [id, weights[id] ?? 1]));
}
