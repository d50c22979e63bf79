/**
 * Validators gossip the checkpoints they cosigned to each other over libp2p
 * (TCP, Noise-encrypted, yamux, gossipsub), a channel independent of the
 * coordinator's NATS. A peer that hears a checkpoint conflicting with one it
 * cosigned has caught the log showing two histories (see witness.ts).
 */
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import { gossipsub } from "@libp2p/gossipsub";
import { identify } from "@libp2p/identify";
import { tcp } from "@libp2p/tcp";
import { multiaddr } from "@multiformats/multiaddr";
import { createLibp2p } from "libp2p";
import type { Logger } from "../lib/logger.ts";

export interface GossipOptions {
  /** e.g. /ip4/127.0.0.1/tcp/0 */
  listen: string;
  /** Multiaddrs of the other validators. */
  peers: readonly string[];
  topic: string;
  logger: Logger;
  onMessage: (data: Uint8Array, from: string) => void;
}

export interface Gossip {
  addresses: string[];
  publish(data: Uint8Array): Promise<void>;
  dial(addr: string): Promise<void>;
  peerCount(): number;
  stop(): Promise<void>;
}

export async function startGossip(o: GossipOptions): Promise<Gossip> {
  const node = await createLibp2p({
    addresses: { listen: [o.listen] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false, heartbeatInterval: 500 }),
    },
  });
  const pubsub = node.services.pubsub;
  pubsub.subscribe(o.topic);
  pubsub.addEventListener("message", (evt) => {
    const msg = evt.detail;
    if (msg.topic !== o.topic) return;
    const from = msg.type === "signed" ? msg.from.toString() : "unknown";
    o.onMessage(msg.data, from);
  });
  const dial = async (addr: string) => {
    await node.dial(multiaddr(addr));
  };
  // Keep trying the configured peers: they may start after us.
  const redial = setInterval(() => {
    if (node.getPeers().length >= o.peers.length) return;
    for (const p of o.peers) void dial(p).catch(() => {});
  }, 1000);
  redial.unref();
  for (const p of o.peers)
    void dial(p).catch((err: Error) => o.logger.debug({ peer: p, err: err.message }, "gossip peer not reachable yet"));
  return {
    addresses: node.getMultiaddrs().map((a) => a.toString()),
    async publish(data) {
      await pubsub.publish(o.topic, data);
    },
    dial,
    peerCount: () => pubsub.getSubscribers(o.topic).length,
    async stop() {
      clearInterval(redial);
      await node.stop();
    },
  };
}
