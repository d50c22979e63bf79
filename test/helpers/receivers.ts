/**
 * Webhook receivers for tests: real node:http servers on loopback that record
 * every request (headers and raw body) and answer as the test says: a status,
 * or "hang" (never answer, so the sender's time limit runs out).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receiver {
  url: string;
  got: Received[];
  /** What the next request is answered with (called with how many came before it). */
  answer: (n: number) => number | "hang";
  /** Resolves once `count` requests have come, or rejects after `ms`. */
  waitFor(count: number, ms?: number): Promise<Received[]>;
  stop(): Promise<void>;
}

export async function startReceiver(answer: Receiver["answer"] = () => 200): Promise<Receiver> {
  const got: Received[] = [];
  const hanging = new Set<() => void>();
  const r: Receiver = {
    url: "",
    got,
    answer,
    async waitFor(count, ms = 20_000) {
      const end = Date.now() + ms;
      while (got.length < count) {
        if (Date.now() > end) throw new Error(`receiver got ${got.length} requests, not ${count}`);
        await new Promise((res) => setTimeout(res, 25));
      }
      return got;
    },
    stop: () =>
      new Promise<void>((res) => {
        for (const h of hanging) h();
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const n = got.length;
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), at: Date.now() });
      const a = r.answer(n);
      if (a === "hang") {
        hanging.add(() => res.destroy());
        return;
      }
      res.writeHead(a, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
  const address = server.address();
  r.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}/hook`;
  return r;
}

/**
 * What a receiver does to check a delivery (the README's snippet, as code): the header's
 * HMAC over "<t>.<raw body>" with the endpoint's secret, compared in constant time, and t
 * within `toleranceSeconds` of now (a replayed old delivery is refused).
 */
export function verifySignature(secret: string, header: string, body: string, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(",").map((kv) => kv.split("=", 2) as [string, string]));
  const t = Number(parts["t"]);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest();
  const given = Buffer.from(parts["v1"] ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
