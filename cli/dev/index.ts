/** `sentineliq dev`: a complete local network in one command. */
import { resolve } from "node:path";
import { Option, type Command } from "commander";
import { z } from "zod";
import { env } from "../shared/env.ts";
import { collect, f, parseFlags, wholeNumber } from "../shared/flags.ts";
import { BACKENDS } from "../shared/settlement.ts";

/** The flags, given the fault modes a validator knows (node/, loaded only when dev runs). */
const devFlags = (modes: z.ZodType<string, string>) =>
  z.object({
    validators: f.count.min(1),
    port: f.count.max(65535).optional(),
    dir: z.string().min(1),
    rules: f.text,
    faulty: z
      .array(
        z
          .string()
          .regex(/^[a-z0-9_-]+=[a-z-]+$/, "expected <validator>=<mode>")
          .transform((spec) => spec.split("="))
          .pipe(z.tuple([z.string(), modes])),
      )
      .default([]),
    settlement: z.enum(BACKENDS),
  });

export function registerDev(program: Command): void {
  program
    .command("dev")
    .description("start a complete local network: NATS, the coordinator and the validators")
    .option("--validators <n>", "number of validator nodes", wholeNumber("--validators"), 4)
    .option("--port <port>", "coordinator HTTP port (PORT overrides the default)", wholeNumber("--port"))
    .option("--dir <dir>", "workspace for keys, config and PGlite data", ".sentineliq")
    .option(
      "--rules <dir>",
      "rule pack for every validator, hot-reloaded on change (default: the shipped default pack)",
    )
    .option(
      "--faulty <id=mode>",
      "fault drill: run one validator misbehaving (silent, slow, approve-all, forge, replay, equivocate); repeatable",
      collect,
    )
    .addOption(
      new Option(
        "--settlement <backend>",
        "settle live (non-debug) payments: litesvm (in process), rpc (SOLANA_RPC_URL, SOLANA_PAYER_KEYPAIR)",
      )
        .choices(BACKENDS)
        .default("none"),
    )
    .action(async (raw: unknown) => {
      const { FaultMode } = await import("../../node/index.ts");
      const o = parseFlags(devFlags(FaultMode), raw);
      const { runDev } = await import("./run.ts");
      process.exitCode = await runDev({
        dir: o.dir,
        validators: o.validators,
        port: o.port ?? env.port ?? 8080,
        faulty: Object.fromEntries(o.faulty),
        settlement: o.settlement,
        ...(o.rules ? { rules: resolve(o.rules) } : {}),
      });
    });
}
