/** The one place that reads the environment. Everything else receives plain values. */
export interface Env {
  port: number | undefined;
  natsUrl: string | undefined;
  databaseUrl: string | undefined;
  sentineliqUrl: string | undefined;
  apiKey: string | undefined;
  /** SENTINELIQ_AUDITOR_KEY: a tAudit auditor's key. */
  auditorKey: string | undefined;
  logLevel: string | undefined;
}

function read(): Env {
  const e = process.env;
  const port = e.PORT ? Number(e.PORT) : undefined;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error(`PORT=${e.PORT} is not a port number`);
  const blank = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v.trim());
  return Object.freeze({
    port,
    natsUrl: blank(e.NATS_URL),
    databaseUrl: blank(e.DATABASE_URL),
    sentineliqUrl: blank(e.SENTINELIQ_URL),
    apiKey: blank(e.SENTINELIQ_API_KEY),
    auditorKey: blank(e.SENTINELIQ_AUDITOR_KEY),
    logLevel: blank(e.LOG_LEVEL),
  });
}

export const env: Env = read();
