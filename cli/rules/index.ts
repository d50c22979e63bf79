/** `sentineliq rules`: the rule author's tools (check, test, backtest, evaluate). */
import type { Command } from "commander";
import { z } from "zod";
import { f, parseFlags, wholeNumber } from "../shared/flags.ts";

const TestFlags = z.object({ sanctions: f.text });
const BacktestFlags = z.object({
  db: f.text,
  schema: f.text,
  limit: f.count.min(1).optional(),
  sanctions: f.text,
  json: f.on,
});
/** Given the risk levels (protocol/, loaded only when the command runs). */
const evaluateFlags = (level: z.ZodType<"LOW" | "MEDIUM" | "HIGH" | "CRITICAL">) =>
  z.object({ amlsim: z.string().min(1), rules: f.text, minLevel: level, sanctions: f.text, json: f.on });

export function registerRules(program: Command): void {
  const rules = program.command("rules").description("rule packs: lint, test, backtest, measure");
  rules
    .command("check <dir>")
    .description("validate a rule pack directory (and its test files); errors as file:line:column")
    .action(async (dir: string) => {
      const { runCheck } = await import("./commands.ts");
      process.exitCode = runCheck(dir);
    });
  rules
    .command("test <dir>")
    .description("run the YAML test cases kept beside the rules (*.test.yaml): input → expected level and reasons")
    .option("--sanctions <dir>", "OFAC CSV folder (default: data/ofac in the repository)")
    .action(async (dir: string, raw: unknown) => {
      const o = parseFlags(TestFlags, raw);
      const { runTests } = await import("./commands.ts");
      process.exitCode = runTests(dir, o);
    });
  rules
    .command("backtest <dir>")
    .description("replay logged payments and events through a candidate pack and report what would change")
    .option("--db <url>", "postgres://… or a PGlite directory (default: DATABASE_URL, else ./.sentineliq/pgdata)")
    .option("--schema <name>", "PostgreSQL schema holding the data")
    .option("--limit <n>", "replay at most n payments (the most recent)", wholeNumber("--limit"))
    .option("--sanctions <dir>", "OFAC CSV folder")
    .option("--json", "one JSON object")
    .action(async (dir: string, raw: unknown) => {
      const o = parseFlags(BacktestFlags, raw);
      const { runBacktest } = await import("./backtest.ts");
      process.exitCode = await runBacktest(dir, o);
    });
  rules
    .command("evaluate")
    .description("stream an AMLSim folder through the engine in time order; precision and recall against isFraud")
    .requiredOption("--amlsim <dir>", "AMLSim output folder (transactions.csv, nodes.csv)")
    .option("--rules <dir>", "rule pack (default: the shipped default pack)")
    .option("--min-level <level>", "count only alerts on payments at this level or above (default: every alert)", "LOW")
    .option("--json", "print { accounts_flagged, precision, recall }")
    .action(async (raw: unknown) => {
      const { RiskLevel } = await import("../../protocol/index.ts");
      const o = parseFlags(evaluateFlags(RiskLevel), raw);
      const { runEvaluate } = await import("./commands.ts");
      process.exitCode = await runEvaluate(o);
    });
}
