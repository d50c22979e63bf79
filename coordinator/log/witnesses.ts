/**
 * The log's side of C2SP tlog-witness: asks every validator's witness (over
 * NATS request/reply) and every external witness (over HTTP, by URL and
 * verifier key) to cosign a checkpoint, with a consistency proof from the
 * size that witness last cosigned. A 409 tells us that size; we then retry
 * once. Only cosignatures that verify against the witness's key count.
 */
import type { Bus } from "../../lib/bus/index.ts";
import type { Logger } from "../../lib/logger.ts";
import {
  addCheckpointRequest,
  COSIGNATURE_V1,
  NoteVerifier,
  parseNote,
  TLOG_SIZE_CONTENT_TYPE,
  verifiedSignatures,
  WitnessReply,
  witnessName,
  type Topology,
  type ValidatorSet,
} from "../../protocol/index.ts";
import { postAddCheckpoint } from "./witness-http.ts";

export interface WitnessComponents {
  bus: Bus;
  topology: Topology;
  validatorSet: ValidatorSet;
  logger: Logger;
  proof: (first: number, second: number) => Promise<Buffer[]>;
  /** Witnesses of someone else's, asked over HTTP: submission URL and verifier key. */
  external?: readonly { url: string; vkey: string }[];
  timeoutMs?: number;
}

export interface Cosigned {
  /** Signature lines that verified, one per witness. */
  lines: string[];
  /** How many of `lines` are from external witnesses. */
  external: number;
  refused: { witness: string; status: number; body: string }[];
}

interface Witness {
  /** The validator id, or the external witness's URL. */
  id: string;
  verifier: NoteVerifier;
  external: boolean;
  send(request: string): Promise<WitnessReply>;
}

export class WitnessClient {
  readonly #c: WitnessComponents;
  readonly #witnesses: Witness[];
  readonly #known = new Map<string, number>();

  constructor(c: WitnessComponents) {
    this.#c = c;
    const timeout = c.timeoutMs ?? 3000;
    const validators = c.validatorSet.validators.map((v) => ({
      id: v.id,
      verifier: new NoteVerifier(witnessName(v.id), COSIGNATURE_V1, Buffer.from(v.public_key, "hex")),
      external: false,
      send: async (request: string) => {
        const subject = c.topology.subjects.witnessAddCheckpoint(v.id);
        const raw = await c.bus.request(subject, Buffer.from(request), timeout);
        return WitnessReply.parse(JSON.parse(Buffer.from(raw).toString("utf8")));
      },
    }));
    const external = (c.external ?? []).map((w) => ({
      id: w.url,
      verifier: NoteVerifier.fromVkey(w.vkey),
      external: true,
      send: (request: string) => postAddCheckpoint(w.url, request, timeout),
    }));
    this.#witnesses = [...validators, ...external];
  }

  get verifiers(): NoteVerifier[] {
    return this.#witnesses.map((w) => w.verifier);
  }

  async cosign(note: string, size: number): Promise<Cosigned> {
    const out: Cosigned = { lines: [], external: 0, refused: [] };
    await Promise.all(
      this.#witnesses.map(async (w) => {
        try {
          let reply = await this.#ask(w, note, size);
          if (reply.status === 409 && reply.content_type.startsWith(TLOG_SIZE_CONTENT_TYPE)) {
            const theirs = Number(reply.body.trim());
            if (Number.isSafeInteger(theirs) && theirs <= size) {
              this.#known.set(w.id, theirs);
              reply = await this.#ask(w, note, size);
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
          const good = lines.find((l) => {
            try {
              return verifiedSignatures(parseNote(note + l), [w.verifier]).size === 1;
            } catch {
              return false; // not a signature line
            }
          });
          if (!good) {
            out.refused.push({ witness: w.id, status: 200, body: "no valid cosignature in the answer" });
            return;
          }
          this.#known.set(w.id, size);
          out.lines.push(good);
          if (w.external) out.external++;
        } catch (err) {
          out.refused.push({ witness: w.id, status: 0, body: (err as Error).message });
        }
      }),
    );
    return out;
  }

  async #ask(w: Witness, note: string, size: number): Promise<WitnessReply> {
    const old = this.#known.get(w.id) ?? 0;
    const proof = old > 0 && old < size ? await this.#c.proof(old, size) : [];
    return w.send(addCheckpointRequest(old, proof, note));
  }
}
