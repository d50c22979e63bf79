/** What `sentineliq dev` prints once the network is up. */
import { policyFor, ValidatorSet, type PaymentRequest } from "../../protocol/index.ts";
import { IN_PROCESS_BANNER, type ClaimedStore, type StartedBus, type Workspace } from "../launcher/index.ts";
import type { DevOptions } from "./network.ts";

export const say = (s = ""): void => void process.stdout.write(s + "\n");

export interface Shown {
  ws: Workspace;
  opts: DevOptions;
  url: string;
  vkey: string;
  example: PaymentRequest;
  bus: StartedBus;
  store: ClaimedStore;
  /** Where mail goes. */
  mail: string;
}

export function printBanner(s: Shown): void {
  say("");
  if (!s.bus.url) {
    for (const line of IN_PROCESS_BANNER) say(line);
    say("");
  }
  const n = s.ws.validatorSet.validators.length;
  const policy = policyFor(ValidatorSet.parse(s.ws.validatorSet), "challenge").name;
  say(`  SentinelIQ is up: coordinator ${s.url} with ${n} validators (${policy})`);
  say(`  bus:      ${s.bus.note}`);
  say(`  storage:  ${s.store.note}`);
  say(`  logs:     ${s.ws.logsDir}`);
  say(`  mail:     ${s.mail}`);
  for (const [id, mode] of Object.entries(s.opts.faulty ?? {}))
    say(`  FAULT DRILL: validator ${id} runs "${mode}" (watch /metrics and the log)`);
  say("");
  say(`  API key:        ${s.ws.apiKey}`);
  say(`  Auditor key:    ${s.ws.auditorKey}   (tAudit: npx sentineliq audit approve|revoke <hash>)`);
  say(`  Owner login:    ${s.ws.ownerEmail} / ${s.ws.ownerPassword}   (POST ${s.url}/v1/auth/login)`);
  say(`                  (as the owner: npx sentineliq key create --agent <id> | user invite <email> --role analyst)`);
  say(`  Approver key:   ${s.ws.approverKey}   (step-ups: npx sentineliq challenges approve|decline <id>)`);
  say(`  Log verifier:   ${s.vkey}`);
  say(`  Credentials:    ${s.ws.credentialsFile}`);
  say(`  Processes:      ${s.ws.processesFile}`);
  say("");
  say("  Try it (an approved LOW payment):");
  say("");
  say(curl(s).replace(/^/gm, "    "));
  say("");
  printSettlement(s.opts);
  say("  Then: npx sentineliq log verify   |   Ctrl-C stops everything.");
  say("");
}

function curl(s: Shown): string {
  return [
    `curl -s -X POST ${s.url}/v1/payments \\`,
    `  -H 'Authorization: Bearer ${s.ws.apiKey}' \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d '${JSON.stringify(s.example)}'`,
  ].join("\n");
}

function printSettlement(opts: DevOptions): void {
  if (!opts.settlement || opts.settlement === "none") return;
  const where =
    opts.settlement === "litesvm"
      ? "the Solana runtime in the coordinator (LiteSVM; agent wallet funded)"
      : "Solana over RPC";
  say(`  Live settlement on ${where}: a real transaction signature comes back in the answer:`);
  say("");
  say("    npx sentineliq pay --live");
  say("");
}
