/**
 * The bus of a launched network: the NATS servers given (NATS_URL), else a
 * nats-server found on the search path, started with JetStream in a temporary
 * folder, else (when the caller allows it) the in-process bus.
 */
import { memoryBus, type Bus } from "../../lib/bus/index.ts";
import { findNatsServer, startNatsServer, type NatsServer } from "../../lib/nats-server.ts";

export interface BusChoice {
  /** NATS servers to use as they are (NATS_URL). */
  natsUrl?: string | undefined;
  /** Where to look for nats-server (a PATH-style list). */
  searchPath: string;
  /** Without NATS: fall back to the in-process bus, or fail with install instructions. */
  inProcessFallback: boolean;
}

export interface StartedBus {
  /** The NATS servers; undefined for the in-process bus. */
  url: string | undefined;
  /** The in-process bus, when there is no NATS. */
  memory: Bus | undefined;
  /** The nats-server this launcher started, if it started one. */
  server: NatsServer | undefined;
  /** One line saying which bus this is and where it came from. */
  note: string;
  stop(): Promise<void>;
}

export async function startBus(choice: BusChoice): Promise<StartedBus> {
  if (choice.natsUrl) {
    const url = choice.natsUrl;
    return {
      url,
      memory: undefined,
      server: undefined,
      note: `NATS JetStream at ${url} (NATS_URL)`,
      stop: async () => {},
    };
  }
  if (findNatsServer(choice.searchPath) || !choice.inProcessFallback) {
    const server = await startNatsServer({ searchPath: choice.searchPath });
    // Our nats-server has no one else: if this process ends without stopping it (process.exit), it goes too.
    const orphan = () => server.process.kill("SIGTERM");
    process.once("exit", orphan);
    return {
      url: server.url,
      memory: undefined,
      server,
      note: `NATS JetStream at ${server.url} (nats-server started from PATH)`,
      stop: () => {
        process.off("exit", orphan);
        return server.stop();
      },
    };
  }
  const memory = memoryBus();
  return { url: undefined, memory, server: undefined, note: "IN-PROCESS BUS", stop: () => memory.close() };
}

/** The banner `sentineliq dev` prints when it runs on the in-process bus. */
export const IN_PROCESS_BANNER = [
  "  ************************************************************************",
  "  *  IN-PROCESS BUS: no NATS_URL and no nats-server on PATH.              *",
  "  *  Everything runs in this one process and nothing on the bus survives *",
  "  *  a restart. Install nats-server or set NATS_URL for the real network. *",
  "  ************************************************************************",
];
