/** A validator's configuration, parsed once and frozen. */
import { z } from "zod";
import { NatsTls } from "../lib/bus/index.ts";
import { Namespace, ValidatorId } from "../protocol/index.ts";
import { FaultMode } from "./faults.ts";

export const ValidatorConfig = z.object({
  id: ValidatorId,
  keyFile: z.string().min(1),
  natsUrl: z.string().min(1),
  /** This validator's NATS credentials: an NKey seed file or a .creds file (none: anonymous). */
  natsCreds: z.string().min(1).optional(),
  natsTls: NatsTls.optional(),
  namespace: Namespace.default("siq"),
  rulesDir: z.string().optional(),
  /** A candidate pack scored beside the live one: its opinion is signed and logged, never counted. */
  shadowRulesDir: z.string().optional(),
  /** OFAC CSV folder (sdn.csv, alt.csv, add.csv); default: data/ofac in the repository. */
  sanctionsDir: z.string().optional(),
  /** Watch the rules and swap a changed pack in without a restart. */
  watchRules: z.boolean().default(true),
  /** A changed pack takes effect this long after its files were written, on every node alike. */
  reloadGraceMs: z.number().int().min(0).default(1500),
  heartbeatMs: z.number().int().min(100).default(1000),
  /** Verdicts being published at once, before the mailbox waits. */
  maxInFlight: z.number().int().min(1).default(256),
  logLevel: z.string().default("info"),
  /** The coordinator's bus key (hex): tasks and registry values without its valid signature are refused. */
  coordinatorKey: z.string().regex(/^[0-9a-f]{64}$/, "hex of the coordinator's 32-byte Ed25519 bus key"),
  /** The log's note verifier key: with it, the node is also a C2SP witness of that log. */
  logVkey: z.string().optional(),
  /** Where the witness keeps its latest cosigned checkpoint and any evidence (default: the key file's folder). */
  stateDir: z.string().optional(),
  /** host:port where the witness serves C2SP tlog-witness `POST /add-checkpoint` over HTTP (none: NATS only). */
  witnessListen: z.string().optional(),
  /** host:port where the node serves its Prometheus metrics at `GET /metrics` (none: not served). */
  metricsListen: z.string().optional(),
  /** The log's public base URL (the coordinator's), for consistency proofs between checkpoints of different sizes. */
  logUrl: z.string().url().optional(),
  /** libp2p listen address for checkpoint gossip, e.g. /ip4/127.0.0.1/tcp/9101 (none: no gossip). */
  p2pListen: z.string().optional(),
  /** libp2p multiaddrs of the other validators. */
  p2pPeers: z.array(z.string()).default([]),
  /** A fault drill: this validator misbehaves on purpose. */
  faulty: FaultMode.optional(),
  slowMs: z.number().int().min(0).default(5000),
});
export type ValidatorConfig = Readonly<z.infer<typeof ValidatorConfig>>;

export function parseValidatorConfig(input: unknown): ValidatorConfig {
  return Object.freeze(ValidatorConfig.parse(input));
}
