/** The one place that reads the environment. Everything else receives plain values. */
export interface Env {
  /** Where to look for nats-server. */
  path: string;
  port: number | undefined;
  natsUrl: string | undefined;
  /** NATS_CREDS: a .creds file or an NKey user seed file, for an external NATS server. */
  natsCreds: string | undefined;
  /** NATS_TLS_CA, NATS_TLS_CERT, NATS_TLS_KEY: TLS to an external NATS server (undefined: none set). */
  natsTls: { caFile?: string; certFile?: string; keyFile?: string } | undefined;
  databaseUrl: string | undefined;
  sentineliqUrl: string | undefined;
  apiKey: string | undefined;
  /** SENTINELIQ_AUDITOR_KEY: a tAudit auditor's key. */
  auditorKey: string | undefined;
  /** SENTINELIQ_OPERATOR_KEY: an operator's key (validators list | reinstate). */
  operatorKey: string | undefined;
  /** SENTINELIQ_APPROVER_KEY: an approver's key (a person of the organisation who confirms step-ups). */
  approverKey: string | undefined;
  /** SENTINELIQ_EMAIL and SENTINELIQ_PASSWORD: the person the account commands sign in as (org, user, key). */
  email: string | undefined;
  password: string | undefined;
  /** SENTINELIQ_AUDITOR_SIGNING_KEY: the auditor's Ed25519 key file, which signs approvals and revocations. */
  auditorSigningKey: string | undefined;
  logLevel: string | undefined;
  /** SMTP_URL: where the coordinator's mail goes (smtp://[user:pass@]host:port). */
  smtpUrl: string | undefined;
  /** Settlement's RPC backend: cluster URL, fee payer keypair file, commitment. */
  solanaRpcUrl: string | undefined;
  solanaPayerKeypair: string | undefined;
  solanaCommitment: string | undefined;
  /** TRUSTED_HOSTS: comma-separated host names the coordinator serves (the Host header, port ignored). */
  trustedHosts: string[] | undefined;
  /** CORS_ORIGINS: comma-separated origins a browser may call the coordinator from. */
  corsOrigins: string[] | undefined;
  /** TLS_CERT_FILE, TLS_KEY_FILE: the coordinator serves HTTPS with this certificate chain and key (PEM). */
  httpTls: { certFile: string; keyFile: string } | undefined;
  /** TRUST_PROXY: how many proxies in front of the coordinator set X-Forwarded-For / -Proto. */
  trustProxy: number | undefined;
  /** ARCHIVE_URL: where the coordinator archives the log (s3://bucket/prefix?endpoint=…, or a directory). */
  archiveUrl: string | undefined;
  /** AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, for an s3:// archive (undefined: neither set). */
  s3Credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** npm_lifecycle_event: set when an npm script (npm start, npm run, npx) started this process. */
  npmScript: string | undefined;
}

function read(): Env {
  const e = process.env;
  const port = e.PORT ? Number(e.PORT) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535))
    throw new Error(`PORT=${e.PORT} is not a port number`);
  const blank = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());
  return Object.freeze({
    path: e.PATH ?? "",
    port,
    natsUrl: blank(e.NATS_URL),
    natsCreds: blank(e.NATS_CREDS),
    natsTls: tlsOf(blank(e.NATS_TLS_CA), blank(e.NATS_TLS_CERT), blank(e.NATS_TLS_KEY)),
    databaseUrl: blank(e.DATABASE_URL),
    sentineliqUrl: blank(e.SENTINELIQ_URL),
    apiKey: blank(e.SENTINELIQ_API_KEY),
    auditorKey: blank(e.SENTINELIQ_AUDITOR_KEY),
    operatorKey: blank(e.SENTINELIQ_OPERATOR_KEY),
    approverKey: blank(e.SENTINELIQ_APPROVER_KEY),
    email: blank(e.SENTINELIQ_EMAIL),
    password: e.SENTINELIQ_PASSWORD === "" ? undefined : e.SENTINELIQ_PASSWORD,
    auditorSigningKey: blank(e.SENTINELIQ_AUDITOR_SIGNING_KEY),
    logLevel: blank(e.LOG_LEVEL),
    smtpUrl: blank(e.SMTP_URL),
    solanaRpcUrl: blank(e.SOLANA_RPC_URL),
    solanaPayerKeypair: blank(e.SOLANA_PAYER_KEYPAIR),
    solanaCommitment: blank(e.SOLANA_COMMITMENT),
    trustedHosts: list(blank(e.TRUSTED_HOSTS)),
    corsOrigins: list(blank(e.CORS_ORIGINS)),
    httpTls: httpTlsOf(blank(e.TLS_CERT_FILE), blank(e.TLS_KEY_FILE)),
    trustProxy: count("TRUST_PROXY", blank(e.TRUST_PROXY)),
    archiveUrl: blank(e.ARCHIVE_URL),
    s3Credentials: s3CredentialsOf(blank(e.AWS_ACCESS_KEY_ID), blank(e.AWS_SECRET_ACCESS_KEY)),
    npmScript: blank(e.npm_lifecycle_event),
  });
}

const list = (v: string | undefined): string[] | undefined =>
  v === undefined
    ? undefined
    : v
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");

function count(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${v} is not a whole number`);
  return n;
}

function httpTlsOf(certFile?: string, keyFile?: string): Env["httpTls"] {
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new Error("TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither");
  return certFile && keyFile ? Object.freeze({ certFile, keyFile }) : undefined;
}

function tlsOf(caFile?: string, certFile?: string, keyFile?: string): Env["natsTls"] {
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new Error("NATS_TLS_CERT and NATS_TLS_KEY go together: set both or neither");
  if (!caFile && !certFile) return undefined;
  return Object.freeze({ ...(caFile ? { caFile } : {}), ...(certFile && keyFile ? { certFile, keyFile } : {}) });
}

function s3CredentialsOf(accessKeyId?: string, secretAccessKey?: string): Env["s3Credentials"] {
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined))
    throw new Error("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together: set both or neither");
  return accessKeyId && secretAccessKey ? Object.freeze({ accessKeyId, secretAccessKey }) : undefined;
}

export const env: Env = read();

/**
 * The environment for the processes of a launched network: this one, without the variables that would
 * override the complete configs they are given (PORT, NATS_URL, NATS_CREDS, DATABASE_URL).
 */
export function envForChildren(): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  delete e.PORT;
  delete e.NATS_URL;
  delete e.NATS_CREDS;
  delete e.DATABASE_URL;
  return e;
}
