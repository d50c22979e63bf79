/** `sentineliq keys`: Ed25519 key files, and a whole network's keys and configs in one folder. */
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { f, parseFlags, wholeNumber } from "../shared/flags.ts";

const GenerateFlags = z.object({ id: z.string().min(1), out: z.string().min(1), force: f.on });
const InitFlags = z.object({ dir: z.string().min(1), validators: f.count.min(1), origin: z.string().min(1) });
const ShowFlags = z.object({ origin: f.text });
const PermissionFlags = z.object({ namespace: z.string().min(1) });

export function registerKeys(program: Command): void {
  const keys = program.command("keys").description("Ed25519 key files");
  keys
    .command("generate")
    .description("write a new key file (0600); prints only the public key")
    .requiredOption("--id <id>", "key id (validator id, or 'log')")
    .requiredOption("--out <file>", "where to write it")
    .option("--force", "overwrite an existing file")
    .action(async (raw: unknown) => {
      const o = parseFlags(GenerateFlags, raw);
      const { generateKeyFile } = await import("../../protocol/index.ts");
      const k = generateKeyFile(resolve(o.out), o.id, { overwrite: o.force === true });
      process.stdout.write(`${k.id} ${k.publicKeyHex}\n`);
    });
  keys
    .command("init")
    .description(
      "create a network's keys, validator set, coordinator config, agent API key, and NATS NKey users with " +
        "least-privilege permissions (nats/<role>.nk, nats/nats-server.conf) in a folder (idempotent)",
    )
    .requiredOption("--dir <dir>", "folder to write (keys/, network.json, coordinator.json, credentials.json, nats/)")
    .option("--validators <n>", "number of validators", wholeNumber("--validators"), 4)
    .option("--origin <name>", "log origin", "sentineliq.local/log")
    .action(async (raw: unknown) => {
      const o = parseFlags(InitFlags, raw);
      const { initNetwork } = await import("../launcher/workspace.ts");
      const { ensureNatsAuth } = await import("../launcher/nats-auth.ts");
      const ws = initNetwork(resolve(o.dir), o.validators, o.origin);
      const ids = ws.validatorSet.validators.map((v) => v.id);
      const nats = ensureNatsAuth(join(ws.dir, "nats"), { validators: ids });
      process.stdout.write(
        `wrote ${ws.coordinatorFile} and ${ws.networkFile} (${ids.length} validators)\n` +
          `wrote ${nats.configFile} and one NKey seed per role in ${nats.dir} (NATS_CREDS=<role>.nk)\n`,
      );
    });
  keys
    .command("permissions")
    .description("print what each role's NATS credentials may publish and subscribe to (a Markdown table)")
    .option("--namespace <ns>", "bus namespace", "siq")
    .action(async (raw: unknown) => {
      const o = parseFlags(PermissionFlags, raw);
      const { permissionTable } = await import("../../lib/bus/index.ts");
      const { topology } = await import("../../protocol/index.ts");
      process.stdout.write(permissionTable(topology(o.namespace)));
    });
  keys
    .command("show <file>")
    .description("print a key file's public key (and its signed-note verifier key with --origin)")
    .option("--origin <name>", "log origin, to print the note verifier key")
    .action(async (file: string, raw: unknown) => {
      const o = parseFlags(ShowFlags, raw);
      const { loadKeyFile, verifierKey } = await import("../../protocol/index.ts");
      const k = loadKeyFile(resolve(file));
      process.stdout.write(`${k.id} ${k.publicKeyHex}\n`);
      if (o.origin) process.stdout.write(verifierKey(o.origin, k.signer.publicKey) + "\n");
    });
}
