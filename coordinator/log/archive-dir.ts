/** The archive as files under a directory: the development default. */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { assertBundlePath, type ArchiveStore } from "./archive.ts";

export class DirArchiveStore implements ArchiveStore {
  readonly describe: string;
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
    this.describe = `the directory ${dir}`;
  }

  open(): Promise<void> {
    mkdirSync(this.#dir, { recursive: true });
    return Promise.resolve();
  }

  has(path: string): Promise<boolean> {
    return Promise.resolve(existsSync(join(this.#dir, path)));
  }

  create(path: string, data: Buffer): Promise<void> {
    const file = join(this.#dir, path);
    if (!existsSync(file)) atomicWrite(file, data);
    return Promise.resolve();
  }

  read(path: string): Promise<Buffer | undefined> {
    const file = join(this.#dir, path);
    return Promise.resolve(existsSync(file) ? readFileSync(file) : undefined);
  }

  versions(path: string): Promise<string[]> {
    const partials = join(this.#dir, `${path}.p`);
    const widths = existsSync(partials) ? readdirSync(partials).filter((w) => /^\d{1,3}$/.test(w)) : [];
    const out = widths.map((w) => `${path}.p/${w}`);
    return Promise.resolve(existsSync(join(this.#dir, path)) ? [path, ...out] : out);
  }

  replaceBundle(path: string, data: Buffer): Promise<void> {
    return Promise.resolve().then(() => {
      assertBundlePath(path);
      atomicWrite(join(this.#dir, path), data);
    });
  }

  putCheckpoint(data: Buffer): Promise<void> {
    atomicWrite(join(this.#dir, "checkpoint"), data);
    return Promise.resolve();
  }
}

function atomicWrite(file: string, data: Buffer): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
}
