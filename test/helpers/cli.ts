/**
 * Running `sentineliq` as a process the way a user does, and waiting for what it eventually does.
 */
import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { promisify } from "node:util";
import { BIN } from "../../cli/launcher/processes.ts";

const run = promisify(execFile);

/** Runs the CLI (`out` is stdout then stderr; `env`: variables to add) from a folder of its own, so a developer's ./.sentineliq never stands in for what a flag did not give. */
export async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      cwd: tmpdir(),
      env: { ...process.env, ...env },
    });
    return { code: 0, out: stdout + stderr, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Polls until `what` holds, or throws after `ms`. */
export async function until(what: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}
