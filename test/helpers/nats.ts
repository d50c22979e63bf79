/**
 * A real NATS JetStream for tests: NATS_URL when set (as in CI), otherwise a
 * nats-server spawned on a free port. Each test network uses its own bus
 * namespace, so test files never see each other's streams.
 */
import { randomBytes } from "node:crypto";
import { startNatsServer, type NatsServer } from "../../lib/nats-server.ts";

export interface TestNats {
  url: string;
  stop(): Promise<void>;
}

export async function testNats(opts: { ownServer?: boolean } = {}): Promise<TestNats> {
  const shared = process.env.NATS_URL;
  if (shared && !opts.ownServer) return { url: shared, stop: async () => {} };
  let server: NatsServer;
  try {
    server = await startNatsServer({ searchPath: process.env.PATH ?? "" });
  } catch (e) {
    throw new Error(
      `tests need NATS JetStream: set NATS_URL or install nats-server (apt install nats-server). ${(e as Error).message}`,
    );
  }
  return { url: server.url, stop: () => server.stop() };
}

export function uniqueNamespace(): string {
  return `t${randomBytes(5).toString("hex")}`;
}

/** Removes a test namespace's streams from a shared server. */
export async function dropStreams(url: string, namespace: string): Promise<void> {
  const { connect } = await import("@nats-io/transport-node");
  const { jetstreamManager } = await import("@nats-io/jetstream");
  const { topology } = await import("../../protocol/subjects.ts");
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    const t = topology(namespace);
    for (const s of Object.values(t.streams)) await jsm.streams.delete(s.name).catch(() => {});
    for (const b of Object.values(t.buckets)) await jsm.streams.delete(`KV_${b}`).catch(() => {});
  } finally {
    await nc.close();
  }
}
