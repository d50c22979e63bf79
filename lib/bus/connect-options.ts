/**
 * How a process authenticates to NATS: a credentials file (a decentralised
 * `.creds` file or an NKey seed file, as `sentineliq keys init` writes), TLS
 * files, and the inbox prefix of its role.
 */
import { readFileSync } from "node:fs";
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions } from "@nats-io/transport-node";
import { z } from "zod";
import { SiqError } from "../../protocol/index.ts";

/** TLS to the NATS servers: a CA to trust, and a client certificate and key for mutual TLS. */
export const NatsTls = z
  .object({ caFile: z.string().min(1), certFile: z.string().min(1), keyFile: z.string().min(1) })
  .partial()
  .strict();
export type NatsTls = z.infer<typeof NatsTls>;

export interface BusConnectOptions {
  /** The connection's name, as the server's monitoring shows it. */
  name?: string;
  /** A `.creds` file (JWT + seed) or an NKey user seed file; none: an anonymous connection. */
  credsFile?: string | undefined;
  tls?: NatsTls | undefined;
  /** Replies come to subjects under this prefix (the role's, so no other role can read them). */
  inboxPrefix?: string | undefined;
  /**
   * Create (or update) streams and buckets that are missing (default); false: wait until they exist, for a
   * role whose credentials may not create them (a validator).
   */
  createStreams?: boolean | undefined;
}

/** The authenticator for a credentials file: a `.creds` file or a bare NKey user seed (`SU…`). */
export function authenticatorFor(file: string): Pick<ConnectionOptions, "authenticator"> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new SiqError("BUS_UNAVAILABLE", `cannot read NATS credentials ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  if (text.includes("BEGIN NATS USER JWT"))
    return { authenticator: credsAuthenticator(new TextEncoder().encode(text)) };
  const seed = text.trim();
  if (/^SU[A-Z2-7]{56}$/.test(seed)) return { authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)) };
  throw new SiqError("BUS_UNAVAILABLE", `${file} is neither a NATS .creds file nor an NKey user seed (SU…)`);
}

/** nats.js connect options for these settings. */
export function natsConnectOptions(o: BusConnectOptions): Partial<ConnectionOptions> {
  const tls = o.tls && Object.keys(o.tls).length > 0 ? { tls: { ...o.tls } } : {};
  return {
    ...(o.name ? { name: o.name } : {}),
    ...(o.credsFile ? authenticatorFor(o.credsFile) : {}),
    ...tls,
    ...(o.inboxPrefix ? { inboxPrefix: o.inboxPrefix } : {}),
  };
}
