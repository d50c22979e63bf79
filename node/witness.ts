/**
 * The validator as a C2SP tlog-witness. It answers `add-checkpoint` requests
 * (over NATS request/reply, and over HTTP: witness-http.ts) for the one log it
 * trusts, cosigning only checkpoints consistent with the last one it cosigned,
 * which it persists before answering. Check and persist are one synchronous
 * step (`add`), so requests from either transport are serialised and the
 * record never rolls back. Every cosigned checkpoint is handed to gossip; a
 * conflict, whether shown directly or heard from a peer, is stored as
 * evidence and raises an alarm. A peer's checkpoint of another size is
 * checked with a consistency proof fetched from the log (log-proofs.ts).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import type { Bus } from "../lib/bus/index.ts";
import type { Logger } from "../lib/logger.ts";
import {
  addCheckpoint,
  openCheckpoint,
  sameSizeFork,
  WitnessRecord,
  witnessName,
  type Checkpoint,
  type ForkEvidence,
  type NoteVerifier,
  type Signer,
  type Topology,
  type WitnessReply,
  verifyConsistency,
} from "../protocol/index.ts";
import type { ConsistencyProofs } from "./log-proofs.ts";

export interface WitnessComponents {
  id: string;
  bus: Bus;
  topology: Topology;
  signer: Signer;
  log: NoteVerifier;
  /** Directory for the witness's state and evidence. */
  stateDir: string;
  logger: Logger;
  /** Called with each newly cosigned checkpoint (for gossip). */
  onCosigned?: (note: string) => void;
  /** Consistency proofs from the log, to compare checkpoints of different sizes (none: same size only). */
  proofs?: ConsistencyProofs;
}

export interface RunningWitness {
  latest(): WitnessRecord | undefined;
  /** An add-checkpoint request body in, the answer out: check and persist in one synchronous step. */
  add: (request: string) => WitnessReply;
  /** A checkpoint heard from a peer: checked against ours (any size); evidence on a fork. */
  heard(note: string, from: string): Promise<ForkEvidence | null>;
  evidence: ForkEvidence[];
  stop(): void;
}

export function runWitness(c: WitnessComponents): RunningWitness {
  mkdirSync(c.stateDir, { recursive: true });
  const stateFile = join(c.stateDir, `witness-${c.id}.json`);
  let record: WitnessRecord | undefined = existsSync(stateFile)
    ? WitnessRecord.parse(JSON.parse(readFileSync(stateFile, "utf8")))
    : undefined;
  const evidence: ForkEvidence[] = [];
  // Every checkpoint cosigned recently, by size: a peer's checkpoint of the same size must have the same root.
  const history = new Map<number, string>();
  const remember = (r: WitnessRecord) => {
    history.set(r.size, r.note);
    if (history.size > 4096) history.delete(history.keys().next().value!);
  };
  if (record) remember(record);
  const me = { name: witnessName(c.id), signer: c.signer };
  const logs = new Map([[c.log.name, c.log]]);

  const raise = (e: ForkEvidence, source: string) => {
    evidence.push(e);
    const file = join(c.stateDir, `evidence-${c.id}-${Date.now()}-${evidence.length}.json`);
    writeFileSync(file, JSON.stringify({ ...e, source, detected_at: new Date().toISOString() }, null, 2) + "\n");
    c.logger.fatal(
      { kind: e.kind, origin: e.origin, source, evidence: file },
      "ALARM: the log showed a forked view; evidence stored",
    );
  };

  // The work is synchronous; Promise.try hands the bus a promise that rejects if it throws.
  const server = c.bus.serve(c.topology.subjects.witnessAddCheckpoint(c.id), (data) =>
    Promise.try(() => Buffer.from(JSON.stringify(add(Buffer.from(data).toString("utf8"))))),
  );
  function add(request: string): WitnessReply {
    const result = addCheckpoint(
      request,
      logs,
      (o) => (record?.origin === o ? record : undefined),
      me,
      Math.floor(Date.now() / 1000),
    );
    if (result.evidence) raise(result.evidence, "add-checkpoint");
    if (result.record) {
      const tmp = `${stateFile}.tmp`;
      writeFileSync(tmp, JSON.stringify(result.record) + "\n", { flush: true }); // on disk before the answer
      renameSync(tmp, stateFile);
      record = result.record;
      remember(record);
      c.onCosigned?.(result.record.note);
    }
    return result.reply;
  }
  const sizes = crossSizeCheck(c, () => record, raise);

  return {
    latest: () => record,
    evidence,
    add,
    async heard(note, from) {
      let theirs: Checkpoint;
      try {
        theirs = openCheckpoint(note, c.log).checkpoint;
      } catch {
        return null; // not signed by the log: not evidence of anything
      }
      const ours = history.get(theirs.size);
      if (!ours) return sizes(theirs, note, from);
      const mine = openCheckpoint(ours, c.log).checkpoint;
      if (!sameSizeFork(mine, theirs)) return null;
      const e: ForkEvidence = { kind: "same_size_other_root", origin: mine.origin, cosigned: ours, conflicting: note };
      raise(e, `gossip from ${from}`);
      return e;
    },
    stop: () => server.stop(),
  };
}

/**
 * A peer's checkpoint of another size than our latest: the log must prove the smaller one a prefix of the larger.
 * A proof that does not verify, or a refusal, is evidence (both checkpoints carry the log's signature).
 */
function crossSizeCheck(
  c: WitnessComponents,
  latest: () => WitnessRecord | undefined,
  raise: (e: ForkEvidence, source: string) => void,
): (theirs: Checkpoint, note: string, from: string) => Promise<ForkEvidence | null> {
  // Pairs already settled (consistent, or evidence raised): each is fetched and reported once.
  const settled = new Set<string>();
  const settle = (key: string) => {
    settled.add(key);
    if (settled.size > 4096) settled.delete(settled.values().next().value!);
  };
  return async (theirs, note, from) => {
    const record = latest();
    if (!record || !c.proofs) return null;
    const mine = openCheckpoint(record.note, c.log).checkpoint;
    if (mine.size === theirs.size) return null; // the same-size check saw it
    const [small, big] = mine.size < theirs.size ? [mine, theirs] : [theirs, mine];
    if (small.size === 0) return null; // the empty tree is a prefix of every tree
    const key = `${small.size}:${small.root.toString("base64")}:${big.size}:${big.root.toString("base64")}`;
    if (settled.has(key)) return null;
    const answer = await c.proofs(small.size, big.size);
    if (answer.kind === "unavailable") {
      c.logger.warn({ from, size: theirs.size, reason: answer.reason }, "no consistency proof from the log yet");
      return null;
    }
    if (settled.has(key)) return null; // settled while we waited
    settle(key);
    if (answer.kind === "proof" && verifyConsistency(small.size, big.size, small.root, big.root, answer.hashes))
      return null;
    const e: ForkEvidence = {
      kind: "inconsistent_sizes",
      origin: mine.origin,
      cosigned: record.note,
      conflicting: note,
      ...(answer.kind === "proof"
        ? { proof: answer.hashes.map((h) => h.toString("base64")) }
        : { log_answer: answer.answer }),
    };
    raise(e, `gossip from ${from}`);
    return e;
  };
}
