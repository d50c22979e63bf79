/**
 * The store of a launched network: PostgreSQL (DATABASE_URL, optionally in a
 * schema of its own) or PGlite in a folder. PGlite takes one process at a
 * time, so a PGlite folder is claimed with a lock file holding the owner's pid.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";

export interface StoreChoice {
  /** postgres://… (DATABASE_URL); without it, PGlite in `pgDir`. */
  databaseUrl?: string | undefined;
  /** A PostgreSQL schema of this network's own. */
  schema?: string | undefined;
  pgDir: string;
  /** PGlite only: the lock file that claims `pgDir` for this process. */
  lockFile?: string | undefined;
}

export interface ClaimedStore {
  /** What the coordinator's `databaseUrl` is set to. */
  url: string;
  schema: string | undefined;
  note: string;
  release(): void;
}

export class StoreBusyError extends Error {
  override readonly name = "StoreBusyError";
  readonly pgDir: string;
  readonly pid: number;
  constructor(pgDir: string, pid: number) {
    super(`Another 'sentineliq dev' (pid ${pid}) is using ${pgDir}; stop it first.`);
    this.pgDir = pgDir;
    this.pid = pid;
  }
}

export function claimStore(choice: StoreChoice): ClaimedStore {
  if (choice.databaseUrl)
    return {
      url: choice.databaseUrl,
      schema: choice.schema,
      note: "PostgreSQL (DATABASE_URL)" + (choice.schema ? `, schema ${choice.schema}` : ""),
      release: () => {},
    };
  const lockFile = choice.lockFile;
  if (lockFile) {
    const holder = lockHolder(lockFile);
    if (holder !== undefined) throw new StoreBusyError(choice.pgDir, holder);
    writeFileSync(lockFile, String(process.pid));
  }
  return {
    url: choice.pgDir,
    schema: undefined,
    note: `PGlite in ${choice.pgDir}`,
    release: () => lockFile && rmSync(lockFile, { force: true }),
  };
}

/** The pid of the live process holding `lockFile`, if any (a lock left by a dead process does not count). */
export function lockHolder(lockFile: string): number | undefined {
  if (!existsSync(lockFile)) return undefined;
  const pid = Number(readFileSync(lockFile, "utf8").trim());
  return isAlive(pid) ? pid : undefined;
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
