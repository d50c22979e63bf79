/** The one place that reads the environment. Everything else receives plain values. */
export interface Env {
  /** Where to look for nats-server. */
  path: string;
  port: number | undefined;
  natsUrl: string | undefined;
  databaseUrl: string | undefined;
  sentineliqUrl: string | undefined;
  apiKey: string | undefined;
  /** SENTINELIQ_AUDITOR_KEY: a tAudit auditor's key. */
  auditorKey: string | undefined;
  logLevel: string | undefined;
  /** Settlement's RPC backend: cluster URL, fee payer keypair file, commitment. */
  solanaRpcUrl: string | undefined;
  solanaPayerKeypair: string | undefined;
  solanaCommitment: string | undefined;
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
    databaseUrl: blank(e.DATABASE_URL),
    sentineliqUrl: blank(e.SENTINELIQ_URL),
    apiKey: blank(e.SENTINELIQ_API_KEY),
    auditorKey: blank(e.SENTINELIQ_AUDITOR_KEY),
    logLevel: blank(e.LOG_LEVEL),
    solanaRpcUrl: blank(e.SOLANA_RPC_URL),
    solanaPayerKeypair: blank(e.SOLANA_PAYER_KEYPAIR),
    solanaCommitment: blank(e.SOLANA_COMMITMENT),
  });
}

export const env: Env = read();
