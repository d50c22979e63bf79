/**
 * The validator as a C2SP tlog-witness. It answers `add-checkpoint` requests
 * (over NATS request/reply) for the one log it trusts, cosigning only
 * checkpoints consistent with the last one it cosigned, which it persists
 * before answering. Every cosigned checkpoint is handed to gossip; a conflict,
 * whether shown directly or heard from a peer, is stored as evidence and
 * raises an alarm.
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
  type ForkEvidence,
  type NoteVerifier,
  type Signer,
  type Topology,
} from "../protocol/index.ts";

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
}

export interface RunningWitness {
  latest(): WitnessRecord | undefined;
  /** A checkpoint heard from a peer: checked against ours; evidence on a fork. */
  heard(note: string, from: string): ForkEvidence | null;
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
  const server = c.bus.serve(c.topology.subjects.witnessAddCheckpoint(c.id), (data) => Promise.try(() => add(data)));
  function add(data: Uint8Array): Buffer {
    const result = addCheckpoint(
      Buffer.from(data).toString("utf8"),
      logs,
      (o) => (record?.origin === o ? record : undefined),
      me,
      Math.floor(Date.now() / 1000),
    );
    if (result.evidence) raise(result.evidence, "add-checkpoint");
    if (result.record) {
      const tmp = `${stateFile}.tmp`;
      writeFileSync(tmp, JSON.stringify(result.record) + "\n");
      renameSync(tmp, stateFile);
      record = result.record;
      remember(record);
      c.onCosigned?.(result.record.note);
    }
    return Buffer.from(JSON.stringify(result.reply));
  }

  return {
    latest: () => record,
    evidence,
    heard(note, from) {
      try {
        const theirs = openCheckpoint(note, c.log).checkpoint;
        const ours = history.get(theirs.size);
        if (!ours) return null;
        const mine = openCheckpoint(ours, c.log).checkpoint;
        if (!sameSizeFork(mine, theirs)) return null;
        const e: ForkEvidence = {
          kind: "same_size_other_root",
          origin: mine.origin,
          cosigned: ours,
          conflicting: note,
        };
        raise(e, `gossip from ${from}`);
        return e;
      } catch {
        return null; // not signed by the log: not evidence of anything
      }
    },
    stop: () => server.stop(),
  };
}
