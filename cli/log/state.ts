/** What `log verify` remembers (the sumdb model): the last checkpoint it verified for each log, so it never accepts going backwards. */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openCheckpoint, type Checkpoint, type NoteVerifier } from "../../protocol/index.ts";

export class VerifierState {
  readonly #file: string;
  constructor(dir: string, origin: string, keyId: string) {
    this.#file = join(dir, `${origin.replace(/[^A-Za-z0-9._-]/g, "_")}+${keyId}.checkpoint`);
  }

  get file(): string {
    return this.#file;
  }

  load(log: NoteVerifier): Checkpoint | undefined {
    if (!existsSync(this.#file)) return undefined;
    return openCheckpoint(readFileSync(this.#file, "utf8"), log).checkpoint;
  }

  save(note: string): void {
    mkdirSync(join(this.#file, ".."), { recursive: true });
    writeFileSync(`${this.#file}.tmp`, note);
    renameSync(`${this.#file}.tmp`, this.#file);
  }
}
