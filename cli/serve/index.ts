/** `sentineliq coordinator` and `sentineliq node`: one part of a network, as a long-running process. */
import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { collect, f, parseFlags } from "../shared/flags.ts";

const CoordinatorFlags = z.object({ config: z.string().min(1) });

const NodeFlags = z.object({
  config: f.text,
  id: f.text,
  key: f.text,
  nats: f.text,
  namespace: f.text,
  rules: f.text,
  shadowRules: f.text,
  sanctions: f.text,
  faulty: f.text,
  logVkey: f.text,
  stateDir: f.text,
  coordinatorKey: f.text,
  p2pListen: f.text,
  p2pPeer: f.list,
  witnessListen: f.text,
  metricsListen: f.text,
  logUrl: f.text,
});

const path = (p: string | undefined) => (p === undefined ? undefined : resolve(p));

export function registerServe(program: Command): void {
  program
    .command("coordinator")
    .description("run the coordinator (HTTP API, quorum, settlement, log)")
    .requiredOption(
      "--config <file>",
      "coordinator config (JSON); PORT, NATS_URL, NATS_CREDS, NATS_TLS_*, DATABASE_URL, TRUSTED_HOSTS, CORS_ORIGINS, " +
        "TLS_CERT_FILE/TLS_KEY_FILE and TRUST_PROXY override it",
    )
    .action(async (raw: unknown) => {
      const o = parseFlags(CoordinatorFlags, raw);
      const { runCoordinator } = await import("./run.ts");
      await runCoordinator(resolve(o.config));
    });

  program
    .command("node")
    .description("run one validator node")
    .option(
      "--config <file>",
      "validator config (JSON); the flags below, NATS_URL, NATS_CREDS and NATS_TLS_* override it",
    )
    .option("--id <id>", "validator id, as in the validator set (e.g. v1); required without --config")
    .option("--key <file>", "the validator's Ed25519 key file; required without --config")
    .option("--nats <url>", "NATS servers (NATS_URL overrides the default)")
    .option("--namespace <ns>", "bus namespace (default: siq)")
    .option("--rules <dir>", "rule pack directory, hot-reloaded on change (default: the shipped default pack)")
    .option(
      "--shadow-rules <dir>",
      "a candidate pack scored in shadow: its opinion is signed and logged with each verdict, never counted",
    )
    .option("--sanctions <dir>", "OFAC CSV folder (default: data/ofac in the repository)")
    .option("--log-vkey <vkey>", "the log's verifier key: the node then also witnesses (cosigns) its checkpoints")
    .option("--state-dir <dir>", "where the witness keeps its cosigned checkpoint (default: the key file's folder)")
    .option(
      "--coordinator-key <hex|file>",
      "the coordinator's bus key (hex, or a file holding it: keys init writes coordinator-bus.pub); required",
    )
    .option(
      "--witness-listen <host:port>",
      "serve the witness over HTTP too: C2SP tlog-witness POST /add-checkpoint (default: NATS only)",
    )
    .option("--metrics-listen <host:port>", "serve Prometheus metrics at GET /metrics on this address (default: none)")
    .option(
      "--log-url <url>",
      "the log's public URL (the coordinator's): consistency proofs to check gossiped checkpoints of other sizes",
    )
    .option("--p2p-listen <multiaddr>", "libp2p address for checkpoint gossip, e.g. /ip4/127.0.0.1/tcp/9101")
    .option("--p2p-peer <multiaddr>", "another validator's gossip address (repeatable)", collect)
    .option("--faulty <mode>", "fault drill: silent, slow, approve-all, forge, replay or equivocate")
    .action(async (raw: unknown) => {
      const o = parseFlags(NodeFlags, raw);
      const { runNode } = await import("./run.ts");
      await runNode({
        config: path(o.config),
        id: o.id,
        keyFile: path(o.key),
        natsUrl: o.nats,
        namespace: o.namespace,
        rulesDir: path(o.rules),
        shadowRulesDir: path(o.shadowRules),
        sanctionsDir: path(o.sanctions),
        faulty: o.faulty,
        logVkey: o.logVkey,
        stateDir: path(o.stateDir),
        coordinatorKey: o.coordinatorKey,
        p2pListen: o.p2pListen,
        p2pPeers: o.p2pPeer,
        witnessListen: o.witnessListen,
        metricsListen: o.metricsListen,
        logUrl: o.logUrl,
      });
    });
}
