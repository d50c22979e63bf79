/** The `sentineliq` command line: one program assembled from its command groups, `--help` on every command. */
import { Command } from "commander";
import { registerAccounts } from "./accounts/index.ts";
import { registerPrivacy } from "./privacy/index.ts";
import { registerAudit } from "./audit/index.ts";
import { registerBench } from "./bench/index.ts";
import { registerChallenges } from "./challenges/index.ts";
import { registerDev } from "./dev/index.ts";
import { registerKeys } from "./keys/index.ts";
import { registerLog } from "./log/index.ts";
import { registerMail } from "./mail/index.ts";
import { registerPay } from "./pay/index.ts";
import { registerRules } from "./rules/index.ts";
import { registerServe } from "./serve/index.ts";
import { registerValidators } from "./validators/index.ts";

export function program(): Command {
  const p = new Command("sentineliq")
    .description("SentinelIQ: a distributed risk-control network for payments")
    .showHelpAfterError()
    .enablePositionalOptions()
    .configureHelp({ sortSubcommands: false });
  for (const register of [
    registerDev,
    registerServe,
    registerKeys,
    registerPay,
    registerChallenges,
    registerLog,
    registerAudit,
    registerValidators,
    registerMail,
    registerAccounts,
    registerPrivacy,
    registerRules,
    registerBench,
  ])
    register(p);
  return p;
}
