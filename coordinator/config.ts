/** The coordinator's configuration, parsed once at start-up and frozen. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { z } from "zod";
import { NatsTls } from "../lib/bus/index.ts";
import { AgentPatterns } from "../lib/agent-ids.ts";
import { parseS3Url } from "../lib/s3.ts";
import { Namespace, NoteVerifier, SiqError, ValidatorSet } from "../protocol/index.ts";
import { SettlementConfig } from "./settlement/index.ts";
import { PrescreenConfig } from "./quorum/index.ts";
import { AccountsConfig } from "./accounts/index.ts";
import { HttpConfig } from "./api/index.ts";

const KeyHash = z.string().regex(/^[0-9a-f]{64}$/);
const KeyHashes = z.array(KeyHash);
/** A note verifier key, `<name>+<hex key id>+<base64(type ‖ key)>` (C2SP signed-note), as a witness publishes it. */
const Vkey = z.string().refine(
  (v) => {
    try {
      NoteVerifier.fromVkey(v);
      return true;
    } catch {
      return false;
    }
  },
  { message: "not a note verifier key <name>+<hex key id>+<base64 key> (Ed25519 or cosignature/v1)" },
);
/** A C2SP tlog-witness of someone else's: its submission URL (POST <url>/add-checkpoint) and verifier key. */
export const ExternalWitness = z.object({ url: z.string().url(), vkey: Vkey }).strict();
export type ExternalWitness = z.infer<typeof ExternalWitness>;
const PersonId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/);

/**
 * A tenant (organisation): its agents' keys, each issued for the agent ids it may act for, and the
 * approver keys of the people who confirm step-ups out of band (they can do nothing an agent does).
 */
export const TenantConfig = z
  .object({
    id: z.string().min(1),
    /** Agent keys bound to the tenant's `agent_ids`. */
    api_key_sha256: KeyHashes.default([]),
    agent_ids: AgentPatterns.optional(),
    /** Agent keys, each bound to its own agent ids. */
    keys: z.array(z.object({ sha256: KeyHash, agent_ids: AgentPatterns }).strict()).default([]),
    approvers: z.array(z.object({ id: PersonId, api_key_sha256: KeyHashes }).strict()).default([]),
  })
  .superRefine((t, ctx) => {
    if (t.api_key_sha256.length > 0 && !t.agent_ids)
      ctx.addIssue({
        code: "custom",
        path: ["agent_ids"],
        message: "an API key is issued for one or more agent ids: give agent_ids (or use keys)",
      });
  });
export type TenantConfig = z.infer<typeof TenantConfig>;

/** Every agent key of a tenant with the agent ids it is bound to. */
export function agentKeys(t: TenantConfig): { sha256: string; agent_ids: readonly string[] }[] {
  return [...t.api_key_sha256.map((sha256) => ({ sha256, agent_ids: t.agent_ids ?? [] })), ...t.keys];
}

export const CoordinatorConfig = z
  .object({
    host: z.string().default("127.0.0.1"),
    port: z.number().int().min(0).max(65535).default(8080),
    /** NATS servers; ignored when an in-process bus is handed in. */
    natsUrl: z.string().default("nats://127.0.0.1:4222"),
    /** The coordinator's NATS credentials: an NKey seed file or a .creds file (none: anonymous). */
    natsCreds: z.string().min(1).optional(),
    natsTls: NatsTls.optional(),
    namespace: Namespace.default("siq"),
    /** postgres://… or a PGlite directory ("memory://" for a throw-away one). */
    databaseUrl: z.string().min(1),
    /** PostgreSQL schema (tests use one each). */
    dbSchema: z.string().optional(),
    logKeyFile: z.string().min(1),
    /**
     * The key the coordinator signs what it puts on the bus with (tasks, settlement orders, log appends,
     * audit registry values); validators get its public key as `coordinatorKey`. Default: `coordinator-bus.json`
     * beside the log key, made on first start.
     */
    busKeyFile: z.string().min(1).optional(),
    /** The log's origin line and signed-note key name. */
    logOrigin: z
      .string()
      .regex(/^[^\s+]+$/)
      .default("sentineliq.local/log"),
    validatorSet: ValidatorSet,
    tenants: z.array(TenantConfig).min(1),
    /** tAudit auditors: their keys approve and revoke code hashes, and can do nothing an agent does. */
    auditors: z.array(z.object({ id: PersonId, api_key_sha256: KeyHashes })).default([]),
    /** Operators: their keys list validators and reinstate excluded ones, and can do nothing an agent or auditor does. */
    operators: z.array(z.object({ id: PersonId, api_key_sha256: KeyHashes })).default([]),
    /** After this long without a quorum the payment fails closed. */
    quorumDeadlineMs: z.number().int().min(50).default(3000),
    /** Once 2f+1 verdicts are in, wait at most this long for the rest. */
    quorumGraceMs: z.number().int().min(0).default(150),
    failClosed: z.enum(["challenge", "reject"]).default("challenge"),
    /** How long an agent has to answer a challenge before the payment is rejected. */
    challengeTtlMs: z
      .number()
      .int()
      .min(100)
      .default(10 * 60_000),
    /** Evaluations per payment, the first included; a payment still challenged after the last is rejected. */
    maxAttempts: z.number().int().min(1).max(10).default(3),
    /** The fast pre-screen's thresholds (tiers route to committees named in the validator set). */
    prescreen: PrescreenConfig,
    bodyLimitBytes: z
      .number()
      .int()
      .min(1024)
      .default(64 * 1024),
    heartbeatTimeoutMs: z.number().int().min(100).default(5000),
    logLevel: z.string().default("info"),
    settlement: SettlementConfig.default(SettlementConfig.parse({})),
    /** How often a new checkpoint is signed and witnessed while the log grows. */
    checkpointIntervalMs: z.number().int().min(50).max(1000).default(500),
    /** Witness cosignatures (validators as C2SP witnesses) a checkpoint needs before it is published; default: the quorum k. */
    witnessQuorum: z.number().int().min(0).optional(),
    /** External C2SP tlog-witnesses, asked over HTTP beside the validators. */
    externalWitnesses: z.array(ExternalWitness).default([]),
    /** Cosignatures from external witnesses a checkpoint needs (besides `witnessQuorum`); default: every one listed. */
    externalWitnessQuorum: z.number().int().min(0).optional(),
    /** Where tiles, entry bundles and checkpoints are also written as immutable files (the archive). */
    tileArchiveDir: z.string().optional(),
    /**
     * ARCHIVE_URL: the archive in an S3-compatible bucket (`s3://bucket/prefix?endpoint=…`, see lib/s3.ts), or a
     * directory (`file:///path` or a path), instead of `tileArchiveDir`.
     */
    archiveUrl: z
      .string()
      .min(1)
      .superRefine((v, ctx) => {
        if (!v.startsWith("s3:")) return;
        try {
          parseS3Url(v);
        } catch (e) {
          ctx.addIssue({ code: "custom", message: (e as Error).message });
        }
      })
      .optional(),
    /** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY for an s3:// archive (absent: the SDK's default chain). */
    archiveCredentials: z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }).optional(),
    /** Operator accounts: mail (SMTP_URL), token lifetimes, key rotation, the dev owner. */
    accounts: AccountsConfig.default(AccountsConfig.parse({})),
    /** How often each organisation's retention policy is applied (coordinator/privacy/retention.ts). */
    retentionIntervalMs: z.number().int().min(50).default(3_600_000),
    /** The HTTP edge: trusted hosts, CORS origins, rate limits, TLS, proxies in front. */
    http: HttpConfig.default(HttpConfig.parse({})),
  })
  .superRefine((c, ctx) => {
    const urls = c.externalWitnesses.map((w) => w.url);
    const vkeys = c.externalWitnesses.map((w) => w.vkey);
    if (new Set(urls).size < urls.length || new Set(vkeys).size < vkeys.length)
      ctx.addIssue({
        code: "custom",
        path: ["externalWitnesses"],
        message: "a witness is listed twice (same URL or same key): it would count twice",
      });
    if ((c.externalWitnessQuorum ?? 0) > c.externalWitnesses.length)
      ctx.addIssue({
        code: "custom",
        path: ["externalWitnessQuorum"],
        message: `${c.externalWitnessQuorum} external cosignatures required, ${c.externalWitnesses.length} external witnesses listed`,
      });
    if (c.archiveUrl && c.tileArchiveDir)
      ctx.addIssue({ code: "custom", path: ["archiveUrl"], message: "give archiveUrl or tileArchiveDir, not both" });
    const agent = new Set(c.tenants.flatMap((t) => agentKeys(t).map((k) => k.sha256)));
    if (c.auditors.some((a) => a.api_key_sha256.some((h) => agent.has(h)))) {
      ctx.addIssue({ code: "custom", path: ["auditors"], message: "an auditor key must not also be an agent key" });
    }
    const approver = c.tenants.flatMap((t) => t.approvers.flatMap((a) => a.api_key_sha256));
    if (approver.some((h) => agent.has(h)))
      ctx.addIssue({ code: "custom", path: ["tenants"], message: "an approver key must not also be an agent key" });
    const otherKeys = new Set([...agent, ...approver, ...c.auditors.flatMap((a) => a.api_key_sha256)]);
    if (c.operators.some((o) => o.api_key_sha256.some((h) => otherKeys.has(h)))) {
      ctx.addIssue({
        code: "custom",
        path: ["operators"],
        message: "an operator key must not also be an agent, approver or auditor key",
      });
    }
  });
export type CoordinatorConfig = Readonly<z.infer<typeof CoordinatorConfig>>;

/** Where the coordinator's bus key is: `busKeyFile`, or `coordinator-bus.json` beside the log key. */
export function busKeyFileOf(c: { logKeyFile: string; busKeyFile?: string | undefined }): string {
  return c.busKeyFile ?? join(dirname(c.logKeyFile), "coordinator-bus.json");
}

export function parseCoordinatorConfig(input: unknown): CoordinatorConfig {
  const r = CoordinatorConfig.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0]!;
    throw new SiqError("CONFIG_INVALID", `coordinator config: ${first.path.join(".")}: ${first.message}`);
  }
  return Object.freeze(r.data);
}

export function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new SiqError("CONFIG_INVALID", `cannot read ${path}: ${(cause as Error).message}`, { cause });
  }
}
