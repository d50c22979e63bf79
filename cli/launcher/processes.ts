/** Child processes of `sentineliq dev`: spawned with this same runtime, logs to files, stopped together. */
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
): Child {
  const logFile = join(logsDir, `${name}.log`);
  const fd = openSync(logFile, "a");
  // An IPC channel too: when the parent dies, however it dies, the child sees "disconnect" and stops.
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", fd, fd, "ipc"], detached: false });
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

/** Resolves on SIGINT or SIGTERM, or, for a child of `sentineliq dev`, when its parent goes away. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (sig: string) => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      process.off("disconnect", orphaned);
      resolve(sig);
    };
    const orphaned = () => done("disconnect");
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
    if (process.send) {
      process.channel?.unref(); // the channel must not keep this process alive once it has stopped
      process.on("disconnect", orphaned);
    }
  });
}
