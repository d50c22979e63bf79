/**
 * C2SP tlog-proof (https://c2sp.org/tlog-proof): a receipt that an entry is
 * in the log, verifiable offline with the log's key (and witness keys).
 */
import { leafHash, verifyInclusion } from "./merkle.ts";
import { openCheckpoint, type Checkpoint } from "./checkpoint.ts";
import { parseNote, verifiedSignatures, type NoteVerifier } from "./signed-note.ts";

export const TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1";

export function formatTlogProof(p: {
  index: number;
  proof: readonly Uint8Array[];
  checkpoint: string;
  extra?: Uint8Array;
}): string {
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra) lines.push(`extra ${Buffer.from(p.extra).toString("base64")}`);
  lines.push(`index ${p.index}`, ...p.proof.map((h) => Buffer.from(h).toString("base64")), "");
  return lines.join("\n") + "\n" + p.checkpoint;
}

export interface ParsedTlogProof {
  index: number;
  proof: Buffer[];
  checkpoint: string;
  extra?: Buffer;
}

export function parseTlogProof(text: string): ParsedTlogProof {
  const blank = text.indexOf("\n\n");
  if (blank < 0) throw new TypeError("a tlog-proof has proof lines, a blank line and a checkpoint");
  const lines = text.slice(0, blank).split("\n");
  if (lines.shift() !== TLOG_PROOF_HEADER) throw new TypeError(`a tlog-proof starts with ${TLOG_PROOF_HEADER}`);
  let extra: Buffer | undefined;
  if (lines[0]?.startsWith("extra ")) extra = Buffer.from(lines.shift()!.slice(6), "base64");
  const idx = /^index (0|[1-9][0-9]*)$/.exec(lines.shift() ?? "");
  if (!idx) throw new TypeError("missing `index <n>` line");
  const proof = lines.map((l) => Buffer.from(l, "base64"));
  if (proof.some((p) => p.length !== 32)) throw new TypeError("a proof line is not a base64 SHA-256 hash");
  return { index: Number(idx[1]), proof, checkpoint: text.slice(blank + 2), ...(extra ? { extra } : {}) };
}

/**
 * Checks a receipt for `entry`: the log's signature, at least `witnessQuorum`
 * of `witnesses`' cosignatures, and the inclusion proof. Throws with the reason.
 */
export function verifyTlogProof(
  text: string,
  entry: Uint8Array,
  log: NoteVerifier,
  witnesses: readonly NoteVerifier[] = [],
  witnessQuorum = 0,
): { index: number; checkpoint: Checkpoint } {
  const p = parseTlogProof(text);
  const { checkpoint } = openCheckpoint(p.checkpoint, log);
  const cosigned = verifiedSignatures(parseNote(p.checkpoint), witnesses).size;
  if (cosigned < witnessQuorum)
    throw new TypeError(`only ${cosigned} of the ${witnessQuorum} witness cosignatures required`);
  if (!verifyInclusion(leafHash(entry), p.index, checkpoint.size, p.proof, checkpoint.root)) {
    throw new TypeError(`the inclusion proof for index ${p.index} does not lead to the checkpoint's root`);
  }
  return { index: p.index, checkpoint };
}
