/**
 * C2SP tlog-witness `add-checkpoint`, as a pure function: the request text
 * and the witness's latest cosigned checkpoint in, a status code, a body, the
 * new record and any evidence of a fork out. Status codes as the spec says:
 * 400 malformed, 403 no trusted signature, 404 unknown origin, 409 old size
 * mismatch (body: our size, text/x.tlog.size) or same size with another root,
 * 422 consistency proof does not verify, 200 with the cosignature lines.
 */
import { z } from "zod";
import type { Signer } from "../crypto.ts";
import { verifyConsistency } from "./merkle.ts";
import { parseCheckpointBody, type Checkpoint } from "./checkpoint.ts";
import { cosignNote, parseNote, verifiedSignatures, type NoteVerifier } from "./signed-note.ts";

export const MAX_PROOF_LINES = 63;
/** The C2SP tlog-witness HTTP route, under a witness's submission prefix: POST only. */
export const ADD_CHECKPOINT_PATH = "/add-checkpoint";
/** The Content-Type of a 409 old-size mismatch, whose body is the witness's size and a newline. */
export const TLOG_SIZE_CONTENT_TYPE = "text/x.tlog.size";

/** What a witness keeps per log: the latest checkpoint it cosigned. */
export const WitnessRecord = z.object({
  origin: z.string(),
  size: z.number().int().min(0),
  root: z.string(),
  note: z.string(),
});
export type WitnessRecord = z.infer<typeof WitnessRecord>;

/** The witness's answer, carried over NATS request/reply. */
export const WitnessReply = z.object({ status: z.number().int(), content_type: z.string(), body: z.string() });
export type WitnessReply = z.infer<typeof WitnessReply>;

export interface ForkEvidence {
  /**
   * same_size_other_root: two checkpoints of one size with different roots; inconsistent_proof: an extension
   * whose consistency proof does not verify; inconsistent_sizes: two checkpoints of different sizes the log
   * cannot (or will not) prove consistent, heard through gossip.
   */
  kind: "same_size_other_root" | "inconsistent_proof" | "inconsistent_sizes";
  origin: string;
  /** The checkpoint this witness had cosigned, and the conflicting one, both signed by the log. */
  cosigned: string;
  conflicting: string;
  proof?: string[];
  /** inconsistent_sizes: what the log answered when asked for the proof. */
  log_answer?: string;
}

export interface AddCheckpointResult {
  reply: WitnessReply;
  record?: WitnessRecord;
  evidence?: ForkEvidence;
}

export interface WitnessIdentity {
  name: string;
  signer: Signer;
}

export function addCheckpointRequest(oldSize: number, proof: readonly Uint8Array[], note: string): string {
  return [`old ${oldSize}`, ...proof.map((p) => Buffer.from(p).toString("base64")), "", note].join("\n");
}

const text = (status: number, body: string, contentType = "text/plain; charset=utf-8"): AddCheckpointResult => ({
  reply: { status, content_type: contentType, body },
});

export function addCheckpoint(
  request: string,
  logs: ReadonlyMap<string, NoteVerifier>,
  latest: (origin: string) => WitnessRecord | undefined,
  me: WitnessIdentity,
  now: number,
): AddCheckpointResult {
  const blank = request.indexOf("\n\n");
  if (blank < 0) return text(400, "request is an old size line, proof lines, a blank line and a checkpoint\n");
  const head = request.slice(0, blank).split("\n");
  const old = /^old (0|[1-9][0-9]{0,15})$/.exec(head[0] ?? "");
  if (!old) return text(400, "first line must be `old <size>`\n");
  const oldSize = Number(old[1]);
  const proofLines = head.slice(1);
  if (proofLines.length > MAX_PROOF_LINES) return text(400, "too many consistency proof lines\n");
  const proof = proofLines.map((l) => Buffer.from(l, "base64"));
  if (proof.some((p, i) => p.length !== 32 || p.toString("base64") !== proofLines[i]))
    return text(400, "a proof line is not a base64 SHA-256 hash\n");
  const noteText = request.slice(blank + 2);
  let cp: Checkpoint;
  let body: string;
  try {
    const note = parseNote(noteText);
    cp = parseCheckpointBody(note.body);
    body = note.body;
    const log = logs.get(cp.origin);
    if (!log) return text(404, `unknown log origin ${cp.origin}\n`);
    if (verifiedSignatures(note, [log]).size === 0) return text(403, "no signature from a trusted log key\n");
  } catch (e) {
    return text(400, `malformed checkpoint: ${(e as Error).message}\n`);
  }
  if (oldSize > cp.size) return text(400, "old size is larger than the checkpoint size\n");
  const mine = latest(cp.origin);
  const mySize = mine?.size ?? 0;
  if (oldSize !== mySize) return text(409, `${mySize}\n`, TLOG_SIZE_CONTENT_TYPE);
  const root = cp.root.toString("base64");
  if (mine && cp.size === mine.size) {
    if (root !== mine.root) {
      return {
        ...text(409, "same size as the checkpoint already cosigned, with another root hash\n"),
        evidence: { kind: "same_size_other_root", origin: cp.origin, cosigned: mine.note, conflicting: noteText },
      };
    }
  } else if (oldSize === 0) {
    if (proof.length > 0) return text(400, "the proof must be empty when the old size is 0\n");
  } else if (!verifyConsistency(oldSize, cp.size, Buffer.from(mine!.root, "base64"), cp.root, proof)) {
    return {
      ...text(422, "the consistency proof does not verify\n"),
      evidence: {
        kind: "inconsistent_proof",
        origin: cp.origin,
        cosigned: mine!.note,
        conflicting: noteText,
        proof: proofLines,
      },
    };
  }
  const line = cosignNote(me.signer, me.name, body, now);
  return {
    reply: { status: 200, content_type: "text/plain; charset=utf-8", body: line },
    record: { origin: cp.origin, size: cp.size, root, note: noteText.trimEnd() + "\n" + line },
  };
}

/**
 * Two checkpoints of one log, both signed by it: a fork when they have the
 * same size and different roots. (Different sizes need a consistency proof.)
 */
export function sameSizeFork(a: Checkpoint, b: Checkpoint): boolean {
  return a.origin === b.origin && a.size === b.size && !a.root.equals(b.root);
}

/** A validator's witness name (its cosignature key name). */
export function witnessName(validatorId: string): string {
  return `sentineliq.local/witness/${validatorId}`;
}
