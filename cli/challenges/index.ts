/** `sentineliq challenges approve|decline <challenge_id>`: an approver of the organisation confirms or refuses a step-up. */
import type { Command } from "commander";
import { z } from "zod";
import { f, parseFlags } from "../shared/flags.ts";

const ReviewFlags = z.object({ url: f.text, approverKey: f.text, note: f.text, json: f.on });

export function registerChallenges(program: Command): void {
  const challenges = program
    .command("challenges")
    .description("step-ups, confirmed out of band by an approver of the organisation (never by the agent's key)");
  for (const action of ["approve", "decline"] as const) {
    challenges
      .command(`${action} <challenge_id>`)
      .description(
        action === "approve"
          ? "confirm a payment's open challenge; the network evaluates the payment again (approver key)"
          : "decline a payment's open challenge; the payment is rejected (approver key)",
      )
      .option("--url <url>", "coordinator URL (SENTINELIQ_URL)")
      .option("--approver-key <key>", "approver key (SENTINELIQ_APPROVER_KEY; dev: from the dev credentials)")
      .option("--note <text>", "why (its digest goes into the log)")
      .option("--json", "print the raw answer")
      .action(async (challengeId: string, raw: unknown) => {
        const o = parseFlags(ReviewFlags, raw);
        const { runReview } = await import("./review.ts");
        process.exitCode = await runReview(action, challengeId, o);
      });
  }
}
