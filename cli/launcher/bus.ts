/**
 * The bus of a launched network: the NATS servers given (NATS_URL), else a
 * nats-server found on the search path, started with JetStream in a temporary
 * folder, else (when the caller allows it) the in-process bus.
 */
import { topology } from "../../protocol/index.ts";
import { connectJetStream, memoryBus, roleInbox, type Bus, type BusRole, type NatsTls } from "../../lib/bus/index.ts";
import { findNatsServer, startNatsServer, type NatsServer } from "../../lib/nats-server.ts";
import { ensureNatsAuth } from "./nats-auth.ts";

/** How each role of a network connects to the bus: its credentials file and TLS settings. */
export interface BusAccess {
  credsFile(role: BusRole): string | undefined;
  tls: NatsTls | undefined;
}

export interface BusChoice {
  /** NATS servers to use as they are (NATS_URL). */
  natsUrl?: string | undefined;
  /** Where to look for nats-server (a PATH-style list). */
  searchPath: string;
  /** Without NATS: fall back to the in-process bus, or fail with install instructions. */
  inProcessFallback: boolean;
  /** With NATS_URL: the credentials file (NATS_CREDS) every role uses, and TLS settings. */
  creds?: string | undefined;
  tls?: NatsTls | undefined;
  /**
   * A nats-server this launcher starts admits only NKey users with least-privilege permissions: their seeds and
   * the server's configuration go in `dir` (made once, reused), for these validators on this namespace.
   */
  auth?: { dir: string; namespace: string; validators: string[] } | undefined;
}

export interface StartedBus {
  /** The NATS servers; undefined for the in-process bus. */
  url: string | undefined;
  /** The in-process bus, when there is no NATS. */
  memory: Bus | undefined;
  /** The nats-server this launcher started, if it started one. */
  server: NatsServer | undefined;
  /** How each role connects (undefined: anonymously, or the in-process bus). */
  access?: BusAccess | undefined;
  /** One line saying which bus this is and where it came from. */
  note: string;
  stop(): Promise<void>;
}

export async function startBus(choice: BusChoice): Promise<StartedBus> {
  if (choice.natsUrl) {
    const url = choice.natsUrl;
    const { creds, tls } = choice;
    return {
      url,
      memory: undefined,
      server: undefined,
      ...(creds || tls ? { access: { credsFile: () => creds, tls } } : {}),
      note: `NATS JetStream at ${url} (NATS_URL${creds ? ", NATS_CREDS" : ""}${tls ? ", TLS" : ""})`,
      stop: async () => {},
    };
  }
  if (findNatsServer(choice.searchPath) || !choice.inProcessFallback) {
    const auth = choice.auth ? ensureNatsAuth(choice.auth.dir, choice.auth) : undefined;
    const server = await startNatsServer({
      searchPath: choice.searchPath,
      ...(auth ? { configFile: auth.configFile } : {}),
    });
    // Our nats-server has no one else: if this process ends without stopping it (process.exit), it goes too.
    const orphan = () => server.process.kill("SIGTERM");
    process.once("exit", orphan);
    if (auth && choice.auth)
      await provision(server.url, auth.seedFile({ kind: "coordinator" }), choice.auth.namespace).catch(async (e) => {
        process.off("exit", orphan);
        await server.stop();
        throw e;
      });
    return {
      url: server.url,
      memory: undefined,
      server,
      ...(auth ? { access: { credsFile: (role: BusRole) => auth.seedFile(role), tls: undefined } } : {}),
      note: `NATS JetStream at ${server.url} (nats-server started from PATH${auth ? ", NKey users only" : ""})`,
      stop: () => {
        process.off("exit", orphan);
        return server.stop();
      },
    };
  }
  const memory = memoryBus();
  return { url: undefined, memory, server: undefined, note: "IN-PROCESS BUS", stop: () => memory.close() };
}

/**
 * Creates the network's streams and registry bucket as the coordinator, before anything else connects: a
 * validator may not create them, and would otherwise wait for the coordinator to start.
 */
async function provision(url: string, coordinatorSeed: string, namespace: string): Promise<void> {
  const t = topology(namespace);
  const bus = await connectJetStream(url, {
    name: "sentineliq-launcher",
    credsFile: coordinatorSeed,
    inboxPrefix: roleInbox({ kind: "coordinator" }),
  });
  try {
    await bus.ensureStreams(Object.values(t.streams));
    await bus.kv(t.buckets.audit);
  } finally {
    await bus.close();
  }
}

/** The banner `sentineliq dev` prints when it runs on the in-process bus. */
export const IN_PROCESS_BANNER = [
  "  ************************************************************************",
  "  *  IN-PROCESS BUS: no NATS_URL and no nats-server on PATH.              *",
  "  *  Everything runs in this one process and nothing on the bus survives *",
  "  *  a restart. Install nats-server or set NATS_URL for the real network. *",
  "  ************************************************************************",
];
