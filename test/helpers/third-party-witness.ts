/**
 * A third party's C2SP tlog-witness, written for tests from the specs
 * (tlog-witness, tlog-cosignature, signed-note, RFC 9162 §2.1.4.2) with
 * tweetnacl and node:http: it shares no code with node/witness.ts or
 * protocol/log. Its behaviour can be switched to misbehave: answer garbage,
 * cosign with a key other than the one it publishes, be down, or lose the
 * answer after recording the checkpoint.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import nacl from "tweetnacl";
import { checkNote } from "./rfc6962.ts";

export type WitnessMode = "good" | "garbage" | "wrong-key" | "down" | "lose-answer";

export interface ThirdPartyWitness {
  url: string;
  /** Its verifier key, as it publishes it: name+hash+base64(0x04 ‖ key). */
  vkey: string;
  name: string;
  mode: WitnessMode;
  /** Status codes it answered, in order. */
  statuses: number[];
  size(): number;
  close(): Promise<void>;
}

const sha = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};
const node = (l: Uint8Array, r: Uint8Array) => sha(Buffer.from([1]), l, r);
const keyId = (name: string, pub: Uint8Array) => sha(Buffer.from(name), Buffer.from([0x0a, 0x04]), pub).subarray(0, 4);

/** RFC 9162 §2.1.4.2, as written there. */
export function consistent(first: number, second: number, r1: Buffer, r2: Buffer, proof: Buffer[]): boolean {
  if (first === second) return proof.length === 0 && r1.equals(r2);
  if (first === 0 || first > second || proof.length === 0) return false;
  const p = (first & (first - 1)) === 0 ? [r1, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  let fr = p[0]!;
  let sr = p[0]!;
  for (const c of p.slice(1)) {
    if (sn === 0) return false;
    if (fn & 1 || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      while (!(fn & 1) && fn !== 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else sr = node(sr, c);
    fn >>= 1;
    sn >>= 1;
  }
  return fr.equals(r1) && sr.equals(r2) && sn === 0;
}

/** `logVkey`: the one log it witnesses (read on each request: the test learns it once the network is up). */
export async function startThirdPartyWitness(name: string, logVkey: () => string): Promise<ThirdPartyWitness> {
  const key = nacl.sign.keyPair();
  const other = nacl.sign.keyPair();
  let latest: { size: number; root: Buffer } | undefined;
  const w: ThirdPartyWitness = {
    url: "",
    vkey: `${name}+${keyId(name, key.publicKey).toString("hex")}+${Buffer.concat([Buffer.from([4]), key.publicKey]).toString("base64")}`,
    name,
    mode: "good",
    statuses: [],
    size: () => latest?.size ?? 0,
    close: () => new Promise((r) => server.close(() => r())),
  };
  const cosign = (body: string, k: nacl.SignKeyPair) => {
    const t = Math.floor(Date.now() / 1000);
    const sig = nacl.sign.detached(Buffer.from(`cosignature/v1\ntime ${t}\n${body}`), k.secretKey);
    const ts = Buffer.alloc(8);
    ts.writeBigUInt64BE(BigInt(t));
    return `\u2014 ${name} ${Buffer.concat([keyId(name, key.publicKey), ts, sig]).toString("base64")}\n`;
  };
  const answer = (request: string): [number, string, string] => {
    const cut = request.indexOf("\n\n");
    const head = request.slice(0, cut).split("\n");
    const m = /^old (0|[1-9][0-9]*)$/.exec(head[0] ?? "");
    if (cut < 0 || !m) return [400, "text/plain", "bad request\n"];
    const old = Number(m[1]);
    const note = request.slice(cut + 2);
    let cp: { origin: string; size: number; root: Buffer };
    try {
      if (!logVkey()) return [404, "text/plain", "unknown log\n"];
      cp = checkNote(note, logVkey());
    } catch {
      return [403, "text/plain", "no trusted signature\n"];
    }
    if (old > cp.size) return [400, "text/plain", "old > size\n"];
    if (old !== (latest?.size ?? 0)) return [409, "text/x.tlog.size", `${latest?.size ?? 0}\n`];
    const proof = head.slice(1).map((l) => Buffer.from(l, "base64"));
    if (latest && old === cp.size && !latest.root.equals(cp.root)) return [409, "text/plain", "fork\n"];
    if (latest && old > 0 && !consistent(old, cp.size, latest.root, cp.root, proof))
      return [422, "text/plain", "inconsistent\n"];
    latest = { size: cp.size, root: cp.root };
    const body = note.slice(0, note.lastIndexOf("\n\n") + 1);
    if (w.mode === "garbage") return [200, "text/plain", "\u2014 " + name + " bm90IGEgc2lnbmF0dXJl\nhello\n"];
    return [200, "text/plain", cosign(body, w.mode === "wrong-key" ? other : key)];
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/add-checkpoint") return void res.writeHead(404).end();
      if (w.mode === "down") return void res.writeHead(503).end();
      const [status, type, body] = answer(Buffer.concat(chunks).toString("utf8"));
      w.statuses.push(status);
      if (w.mode === "lose-answer" && status === 200) {
        w.mode = "good"; // recorded, but the log never hears of it: its next request has a stale old size
        return void res.writeHead(502).end();
      }
      res.writeHead(status, { "content-type": type }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  w.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return w;
}
