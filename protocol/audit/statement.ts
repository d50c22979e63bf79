/**
 * An auditor's own word on a code hash: an approval or a revocation, signed
 * with the auditor's Ed25519 key (a key file, `sentineliq audit approve|revoke
 * --signing-key`). The API takes it, the coordinator checks it against the
 * auditor set (`auditors` in network.json), the log entry carries it, and
 * `sentineliq log verify` checks it against the same set: an approval nobody
 * in the set signed fails, whoever put it on the bus or in the log.
 * The signature covers the JCS bytes of the statement, whose `type` is its domain.
 */
import { z } from "zod";
import { canonicalBytes } from "../canonical.ts";
import { Verifier, type Signer } from "../crypto.ts";
import { Base64, Hex64, IsoTime } from "../schemas/fields.ts";
import { TypeTags } from "../tags.ts";

export const AuditStatement = z
  .object({
    type: z.literal(TypeTags.audit_statement),
    code_hash: Hex64,
    action: z.enum(["approve", "revoke"]),
    /** The auditor's id in the auditor set. */
    auditor_id: z.string().min(1).max(64),
    /** The approval's note, or the revocation's reason. */
    note: z.string().max(500).optional(),
    signed_at: IsoTime,
  })
  .strict();
export type AuditStatement = z.infer<typeof AuditStatement>;

export const SignedAuditStatement = z.object({ statement: AuditStatement, signature: Base64.length(88) }).strict();
export type SignedAuditStatement = z.infer<typeof SignedAuditStatement>;

/** One auditor of the set, as network.json lists it. */
export const AuditorEntry = z.object({
  id: z.string().min(1).max(64),
  public_key: z.string().regex(/^[0-9a-f]{64}$/, "hex of a 32-byte Ed25519 public key"),
});
export type AuditorEntry = z.infer<typeof AuditorEntry>;

export function signAuditStatement(signer: Signer, statement: AuditStatement): SignedAuditStatement {
  return { statement, signature: signer.sign(canonicalBytes(statement)).toString("base64") };
}

/** The auditor set's verifiers, by id. */
export function auditorVerifiers(auditors: readonly AuditorEntry[]): Map<string, Verifier> {
  return new Map(auditors.map((a) => [a.id, new Verifier(Buffer.from(a.public_key, "hex"))]));
}

/**
 * What is wrong with a signed statement for `expected` (the change it must say), or null when an auditor of
 * the set signed exactly that.
 */
export function auditStatementProblem(
  auditors: ReadonlyMap<string, Verifier>,
  signed: SignedAuditStatement | undefined,
  expected: { code_hash: string; action: "approve" | "revoke"; note?: string | undefined; auditor_id?: string },
): string | null {
  if (!signed) return `the ${expected.action} carries no auditor's signature`;
  const s = signed.statement;
  const verifier = auditors.get(s.auditor_id);
  if (!verifier) return `auditor ${s.auditor_id} is not in the auditor set`;
  if (s.code_hash !== expected.code_hash || s.action !== expected.action || s.note !== expected.note)
    return `the signed statement is not this ${expected.action} of ${expected.code_hash.slice(0, 12)}…`;
  if (expected.auditor_id !== undefined && expected.auditor_id !== s.auditor_id)
    return `the statement is signed by ${s.auditor_id}, not ${expected.auditor_id}`;
  if (!verifier.verify(canonicalBytes(s), Buffer.from(signed.signature, "base64")))
    return `the signature of ${s.auditor_id} does not verify`;
  return null;
}
