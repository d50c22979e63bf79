/** Child processes of a launched network: spawned with this same runtime, logs to files, stopped together. */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const BIN = fileURLToPath(new URL("../../bin/sentineliq.ts", import.meta.url));

export interface Child {
  name: string;
  process: ChildProcess;
  logFile: string;
}

export function spawnSelf(
  name: string,
  args: string[],
  logsDir: string,
  onExit: (c: Child, code: number | null) => void,
  /** The child's environment; by default it inherits this process's. */
  env?: NodeJS.ProcessEnv,
): Child {
  const logFile = join(logsDir, `${name}.log`);
  const fd = openSync(logFile, "a");
  // An IPC channel too: when the parent dies, however it dies, the child sees "disconnect" and stops.
  const proc = spawn(process.execPath, [BIN, ...args], {
    stdio: ["ignore", fd, fd, "ipc"],
    detached: false,
    ...(env ? { env } : {}),
  });
  proc.channel?.unref();
  const child = { name, process: proc, logFile };
  proc.once("exit", (code) => onExit(child, code));
  return child;
}

export async function stopAll(children: Child[], graceMs = 5000): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.process.exitCode !== null || c.process.signalCode !== null) return resolve();
          const timer = setTimeout(() => c.process.kill("SIGKILL"), graceMs);
          c.process.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          c.process.kill("SIGTERM");
        }),
    ),
  );
}

const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Resolves with the reason to stop: SIGINT, SIGTERM or SIGHUP; "disconnect" for a child of a launcher whose
 * parent went away; "parent" when `watchParent` is set and this process's parent exits (npm starts us through
 * a shell that dies of the SIGTERM npm forwards, and cannot pass it on). A signal repeated within a second of
 * the first is ignored (a terminal's Ctrl-C and npm's forwarded copy of it arrive together); a later one ends the
 * process at once, for a stop that hangs. A launched child ignores them all: its launcher's SIGTERM follows the
 * terminal's SIGINT, and the launcher kills it outright if its stop hangs.
 */
export function untilSignal(opts: { watchParent?: boolean; pollMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    let since: number | undefined;
    let timer: NodeJS.Timeout | undefined;
    const stop = (reason: string) => {
      if (since !== undefined) {
        if (Date.now() - since > 1000 && reason.startsWith("SIG") && !process.send) process.exit(1);
        return;
      }
      since = Date.now();
      if (timer) clearInterval(timer);
      process.off("disconnect", orphaned);
      resolve(reason);
    };
    const orphaned = () => stop("disconnect");
    for (const sig of STOP_SIGNALS) process.on(sig, stop);
    if (process.send) {
      process.channel?.unref(); // the channel must not keep this process alive once it has stopped
      process.on("disconnect", orphaned);
    }
    if (opts.watchParent) {
      const parent = process.ppid;
      timer = setInterval(() => process.ppid !== parent && stop("parent"), opts.pollMs ?? 250);
      timer.unref();
    }
  });
}
