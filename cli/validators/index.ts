/** `sentineliq validators`: the operator's view of the validator set (list) and its one lever (reinstate ID). */
import type { Command } from "commander";
import { z } from "zod";
import { f, parseFlags } from "../shared/flags.ts";

const Flags = z.object({ url: f.text, operatorKey: f.text, reason: f.text, json: f.on });

export function registerValidators(program: Command): void {
  const v = program
    .command("validators")
    .description("validators: health, weights, exclusion for equivocation (operator key)");
  v.command("list")
    .description("every validator: alive, weight, excluded and on what evidence; and whether the quorum is safe")
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--operator-key <key>", "operator key (SENTINELIQ_OPERATOR_KEY; dev: from the dev credentials)")
    .option("--json", "print the answer as JSON")
    .action(async (raw: unknown) => {
      const { runValidators } = await import("./validators.ts");
      process.exitCode = await runValidators("list", undefined, parseFlags(Flags, raw));
    });
  v.command("reinstate <id>")
    .description("reinstate a validator excluded for equivocation: its verdicts count again (logged)")
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
    .option("--operator-key <key>", "operator key (SENTINELIQ_OPERATOR_KEY; dev: from the dev credentials)")
    .option("--reason <text>", "why (kept in the coordinator's log line)")
    .option("--json", "print the answer as JSON")
    .action(async (id: string, raw: unknown) => {
      const { runValidators } = await import("./validators.ts");
      process.exitCode = await runValidators("reinstate", id, parseFlags(Flags, raw));
    });
}
