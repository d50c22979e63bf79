/**
 * `siq_validators_alive` in /metrics follows the validators' heartbeats over
 * real NATS, with nobody calling /ready: up as they beat, down once a stopped
 * validator's last heartbeat is older than the timeout. Beats are signed: a forged
 * one for a stopped validator does not count.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signHeartbeat, Signer, topology } from "../protocol/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

const TIMEOUT_MS = 2500; // validators beat every second

describe("validator liveness in /metrics", () => {
  let net: TestNetwork;
  let nc: NatsConnection;
  beforeAll(async () => {
    net = await startNetwork({ store: "pglite", validators: 3, coordinatorConfig: { heartbeatTimeoutMs: TIMEOUT_MS } });
    nc = await connect({ servers: net.natsUrl });
  }, 120_000); // three validators and PGlite start slowly on a loaded machine
  afterAll(async () => {
    await nc?.close();
    await net?.stop();
  });

  const alive = async () => {
    const text = await (await fetch(`${net.url}/metrics`)).text();
    return Number(/^siq_validators_alive (\d+)$/m.exec(text)?.[1]);
  };
  const until = async (want: number, withinMs: number) => {
    const end = Date.now() + withinMs;
    let seen = await alive();
    while (seen !== want && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await alive();
    }
    return seen;
  };

  it("counts every running validator from its heartbeats", async () => {
    expect(await until(3, 10_000)).toBe(3);
  });

  it("attack: heartbeats for ids outside the set, or another namespace's, do not count", async () => {
    const ours = topology(net.namespace).subjects;
    for (let i = 0; i < 3; i++) {
      nc.publish(ours.heartbeat("v9"), "v9");
      nc.publish(ours.heartbeat("v1.extra"), "v1");
      nc.publish(topology("someoneelse").subjects.heartbeat("v4"), "v4");
    }
    await nc.flush();
    await new Promise((r) => setTimeout(r, 300));
    expect(await alive()).toBe(3);
  });

  it("drops a validator that stops, once its heartbeat is older than the timeout", async () => {
    expect(await until(3, 10_000)).toBe(3);
    const stopped = net.validators.splice(2, 1)[0]!;
    await stopped.stop();
    const at = Date.now();
    // Attack: beats for the stopped validator, bare or signed by another key, do not keep it alive.
    const subject = topology(net.namespace).subjects.heartbeat("v3");
    const forger = Signer.generate().signer;
    const forge = setInterval(() => {
      nc.publish(subject, "v3");
      nc.publish(subject, signHeartbeat(forger, "v3"));
    }, 200);
    try {
      expect(await until(2, TIMEOUT_MS + 5000)).toBe(2);
    } finally {
      clearInterval(forge);
    }
    // Its last beat was at most a second before it stopped.
    expect(Date.now() - at).toBeGreaterThanOrEqual(TIMEOUT_MS - 1000 - 100);
    const ready = await fetch(`${net.url}/ready`);
    expect(((await ready.json()) as { validators_alive: number }).validators_alive).toBe(2);
  });
});
