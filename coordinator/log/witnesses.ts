/**
 * The log's side of C2SP tlog-witness: asks every validator's witness to
 * cosign a checkpoint (over NATS request/reply), with a consistency proof
 * from the size that witness last cosigned. A 409 tells us that size; we
 * then retry once. Only cosignatures that verify against the witness's key
 * count.
 */
import type { Bus } from "../../lib/bus/index.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  addCheckpointRequest,
  COSIGNATURE_V1,
  NoteVerifier,
  parseNote,
  verifiedSignatures,
  WitnessReply,
  witnessName,
  type Topology,
  type ValidatorSet,
} from "../../protocol/index.ts";

export interface WitnessComponents {
  bus: Bus;
  topology: Topology;
  validatorSet: ValidatorSet;
  logger: Logger;
  proof: (first: number, second: number) => Promise<Buffer[]>;
  timeoutMs?: number;
}

export interface Cosigned {
  /** Signature lines that verified, one per witness. */
  lines: string[];
  refused: { witness: string; status: number; body: string }[];
}

export class WitnessClient {
  readonly #c: WitnessComponents;
  readonly #witnesses: { id: string; verifier: NoteVerifier }[];
  readonly #known = new Map<string, number>();

  constructor(c: WitnessComponents) {
    this.#c = c;
    this.#witnesses = c.validatorSet.validators.map((v) => ({
      id: v.id,
      verifier: new NoteVerifier(witnessName(v.id), COSIGNATURE_V1, Buffer.from(v.public_key, "hex")),
    }));
  }

  get verifiers(): NoteVerifier[] {
    return this.#witnesses.map((w) => w.verifier);
  }

  async cosign(note: string, size: number): Promise<Cosigned> {
    const out: Cosigned = { lines: [], refused: [] };
    await Promise.all(
      this.#witnesses.map(async (w) => {
        try {
          let reply = await this.#ask(w.id, note, size);
          if (reply.status === 409 && reply.content_type.startsWith("text/x.tlog.size")) {
            const theirs = Number(reply.body.trim());
            if (Number.isSafeInteger(theirs) && theirs <= size) {
              this.#known.set(w.id, theirs);
              reply = await this.#ask(w.id, note, size);
            }
          }
          if (reply.status !== 200) {
            out.refused.push({ witness: w.id, status: reply.status, body: reply.body.trim() });
            return;
          }
          const lines = reply.body
            .split("\n")
            .filter((l) => l !== "")
            .map((l) => l + "\n");
          const good = lines.find((l) => verifiedSignatures(parseNote(note + l), [w.verifier]).size === 1);
          if (!good) {
            out.refused.push({ witness: w.id, status: 200, body: "no valid cosignature in the answer" });
            return;
          }
          this.#known.set(w.id, size);
          out.lines.push(good);
        } catch (err) {
          out.refused.push({ witness: w.id, status: 0, body: (err as Error).message });
        }
      }),
    );
    return out;
  }

  async #ask(id: string, note: string, size: number): Promise<WitnessReply> {
    const old = this.#known.get(id) ?? 0;
    const proof = old > 0 && old < size ? await this.#c.proof(old, size) : [];
    const request = addCheckpointRequest(old, proof, note);
    const raw = await this.#c.bus.request(
      this.#c.topology.subjects.witnessAddCheckpoint(id),
      Buffer.from(request),
      this.#c.timeoutMs ?? 3000,
    );
    return WitnessReply.parse(JSON.parse(Buffer.from(raw).toString("utf8")));
  }
}
