#!/usr/bin/env node
/** Entry point of the `sentineliq` command. */
import { program } from "../cli/main.ts";

try {
  await program().parseAsync(process.argv);
} catch (err) {
  process.stderr.write(`sentineliq: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
