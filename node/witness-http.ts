/**
 * The witness over HTTP, as C2SP tlog-witness says: `POST /add-checkpoint`
 * with the request text, answered with the witness's status code, body and
 * Content-Type (`text/x.tlog.size` on a 409 old-size mismatch). Any other
 * method is 405, any other path 404, a body over the limit 413. The answer
 * comes from the same `add` as the NATS path: one record, one lock.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../lib/logger.ts";
import { ADD_CHECKPOINT_PATH, type WitnessReply } from "../protocol/index.ts";

/** 63 proof lines and a checkpoint with a few dozen signatures fit many times over. */
export const WITNESS_BODY_LIMIT = 64 * 1024;

export interface WitnessHttpOptions {
  /** host:port, e.g. 127.0.0.1:9201 (port 0: any free port). */
  listen: string;
  add: (request: string) => WitnessReply;
  logger: Logger;
}

export interface WitnessHttp {
  /** The submission prefix, e.g. http://127.0.0.1:9201 (POST <url>/add-checkpoint). */
  url: string;
  close(): Promise<void>;
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(listen);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new Error(`witness listen address "${listen}" is not host:port`);
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

export async function serveWitnessHttp(o: WitnessHttpOptions): Promise<WitnessHttp> {
  const { host, port } = parseListen(o.listen);
  // A slow client cannot hold a connection open for long: headers in 5 s, the whole request in 10 s.
  const server = createServer(
    { keepAlive: true, headersTimeout: 5_000, requestTimeout: 10_000 },
    (req, res) => void handle(req, res, o),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: string, contentType = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

async function handle(req: IncomingMessage, res: ServerResponse, o: WitnessHttpOptions): Promise<void> {
  const path = (req.url ?? "").split("?")[0];
  if (path !== ADD_CHECKPOINT_PATH)
    return send(res, 404, `not found: the witness serves POST ${ADD_CHECKPOINT_PATH}\n`);
  if (req.method !== "POST") {
    res.setHeader("allow", "POST");
    return send(res, 405, "add-checkpoint takes POST\n");
  }
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > WITNESS_BODY_LIMIT) return tooLarge(res);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > WITNESS_BODY_LIMIT) return tooLarge(res);
      chunks.push(chunk);
    }
  } catch {
    return; // the client went away
  }
  const body = Buffer.concat(chunks);
  const text = new TextDecoder("utf-8", { fatal: false }).decode(body);
  try {
    const reply = o.add(text);
    send(res, reply.status, reply.body, reply.content_type);
  } catch (err) {
    o.logger.error({ err: (err as Error).message }, "witness add-checkpoint failed");
    send(res, 500, "the witness could not record the checkpoint\n");
  }
}

function tooLarge(res: ServerResponse): void {
  res.setHeader("connection", "close");
  send(res, 413, `request body over ${WITNESS_BODY_LIMIT} bytes\n`);
}
