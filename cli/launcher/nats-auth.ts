/**
 * A network's NATS credentials: one NKey user seed per role (files 0600) and
 * the nats-server configuration that admits only those users, each with the
 * permissions `busPermissions` derives from the topology. Seeds are made once
 * and reused; the configuration is written again from them every time.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createUser, fromSeed } from "@nats-io/nkeys";
import { busAuthorization, natsServerConfig, roleName, type BusRole } from "../../lib/bus/index.ts";
import { topology } from "../../protocol/index.ts";

export interface NatsAuth {
  dir: string;
  /** nats-server.conf: JetStream on, and only these users. */
  configFile: string;
  /** The seed file of a role. */
  seedFile(role: BusRole): string;
}

export interface NatsAuthOptions {
  /** Validator ids, each a user of its own. */
  validators: string[];
  namespace?: string;
  /** JetStream's store folder, written into the configuration (the command line may override it). */
  storeDir?: string;
}

/** Writes (or reuses) the seeds in `dir` and writes `dir`/nats-server.conf. */
export function ensureNatsAuth(dir: string, o: NatsAuthOptions): NatsAuth {
  const root = resolve(dir);
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const seedFile = (role: BusRole) => join(root, `${roleName(role)}.nk`);
  const roles: BusRole[] = [{ kind: "coordinator" }, ...o.validators.map((id) => ({ kind: "validator" as const, id }))];
  const users = roles.map((role) => {
    const file = seedFile(role);
    if (!existsSync(file))
      writeFileSync(file, new TextDecoder().decode(createUser().getSeed()) + "\n", { mode: 0o600 });
    const seed = readFileSync(file, "utf8").trim();
    return { role, nkey: fromSeed(new TextEncoder().encode(seed)).getPublicKey() };
  });
  const configFile = join(root, "nats-server.conf");
  writeFileSync(configFile, natsServerConfig(busAuthorization(topology(o.namespace), users), o.storeDir), {
    mode: 0o600,
  });
  return { dir: root, configFile, seedFile };
}
