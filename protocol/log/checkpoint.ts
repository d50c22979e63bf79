/**
 * The C2SP tlog-checkpoint body (origin, size, root hash, extension lines)
 * and opening a checkpoint signed as a signed note by the log's key.
 */
import { HASH_SIZE } from "./merkle.ts";
import { parseNote, verifiedSignatures, type NoteVerifier, type ParsedNote } from "./signed-note.ts";

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  extensions: string[];
}

export function checkpointBody(c: { origin: string; size: number; root: Uint8Array; extensions?: string[] }): string {
  return [c.origin, String(c.size), Buffer.from(c.root).toString("base64"), ...(c.extensions ?? [])].join("\n") + "\n";
}

export function parseCheckpointBody(body: string): Checkpoint {
  const lines = body.split("\n");
  if (lines.pop() !== "" || lines.length < 3)
    throw new TypeError("a checkpoint body is origin, size and root hash lines");
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size)))
    throw new TypeError(`bad checkpoint size "${size}"`);
  const rootBytes = Buffer.from(root, "base64");
  if (rootBytes.length !== HASH_SIZE || rootBytes.toString("base64") !== root)
    throw new TypeError("bad checkpoint root hash");
  if (origin === "" || extensions.some((e) => e === "")) throw new TypeError("empty checkpoint line");
  return { origin, size: Number(size), root: rootBytes, extensions };
}

/** Parses a signed checkpoint and checks the log's signature; throws with the reason. */
export function openCheckpoint(text: string, log: NoteVerifier): { checkpoint: Checkpoint; note: ParsedNote } {
  const note = parseNote(text);
  const checkpoint = parseCheckpointBody(note.body);
  if (checkpoint.origin !== log.name)
    throw new TypeError(`checkpoint origin "${checkpoint.origin}" is not the log "${log.name}"`);
  if (verifiedSignatures(note, [log]).size === 0)
    throw new TypeError("the checkpoint carries no valid signature from the log key");
  return { checkpoint, note };
}
