/**
 * The validator's witness over real HTTP (C2SP tlog-witness): every status
 * code with its Content-Type, the 409 size body, 405 and 413, two concurrent
 * requests never rolling the record back, and gossip across sizes: a peer's
 * checkpoint of another size is checked with a consistency proof from the
 * log's public route, and a split view (inconsistent sizes) is evidence.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WitnessClient } from "../coordinator/log/witnesses.ts";
import { memoryBus } from "../lib/bus/memory.ts";
import { createLogger } from "../lib/logger.ts";
import { startGossip, type Gossip } from "../node/gossip.ts";
import { httpConsistencyProofs } from "../node/log-proofs.ts";
import { runWitness, type RunningWitness } from "../node/witness.ts";
import { serveWitnessHttp, WITNESS_BODY_LIMIT, type WitnessHttp } from "../node/witness-http.ts";
import {
  addCheckpointRequest,
  checkpointBody,
  COSIGNATURE_V1,
  consistencyRanges,
  ED25519,
  leafHash,
  NoteVerifier,
  rangeHash,
  rootFromLeafHashes,
  signNote,
  Signer,
  topology,
  vkeyFor,
  witnessName,
  type ValidatorSet,
} from "../protocol/index.ts";

const origin = "sentineliq.local/log";
const logKey = Signer.generate().signer;
const log = new NoteVerifier(origin, ED25519, logKey.publicKey);
const logger = createLogger("test", "silent");
const leaves = (tag: string, n: number) =>
  Array.from({ length: n }, (_, i) => leafHash(Buffer.from(i < 4 ? `shared ${i}` : `${tag} ${i}`)));
const checkpoint = (ls: Buffer[], signer = logKey, o = origin) => {
  const body = checkpointBody({ origin: o, size: ls.length, root: rootFromLeafHashes(ls) });
  return body + "\n" + signNote(signer, o, body);
};
const proof = (ls: Buffer[], m: number) =>
  Promise.all(
    consistencyRanges(m, ls.length).map(([lo, hi]) =>
      rangeHash(lo, hi, (h, i) => rootFromLeafHashes(ls.slice(i * 2 ** h, (i + 1) * 2 ** h))),
    ),
  );

// The log's public consistency-proof route, as the coordinator serves it, over history A.
const historyA = leaves("a", 64);
let logServer: Server;
let logUrl = "";
let logMode: "honest" | "refuse" | "garbage" | "failing" = "honest";
beforeAll(async () => {
  logServer = createServer((req, res) => {
    const u = new URL(req.url!, "http://x");
    const first = Number(u.searchParams.get("first"));
    const second = Number(u.searchParams.get("second"));
    if (logMode === "refuse" || u.pathname !== "/v1/log/proof/consistency") {
      res.writeHead(404, { "content-type": "application/json" }).end('{"error":"NOT_FOUND"}');
      return;
    }
    if (logMode === "garbage") return void res.writeHead(200).end("not json");
    if (logMode === "failing") return void res.writeHead(503).end();
    void proof(historyA.slice(0, second), first).then((hashes) =>
      res
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ first, second, hashes: hashes.map((h) => h.toString("base64")) })),
    );
  });
  await new Promise<void>((r) => logServer.listen(0, "127.0.0.1", r));
  logUrl = `http://127.0.0.1:${(logServer.address() as { port: number }).port}`;
});

const witnesses: RunningWitness[] = [];
const servers: WitnessHttp[] = [];
const gossips: Gossip[] = [];
afterAll(async () => {
  for (const g of gossips) await g.stop();
  for (const s of servers) await s.close();
  for (const w of witnesses) w.stop();
  await new Promise((r) => logServer?.close(r));
});

async function start(id: string, gossip?: Gossip) {
  const dir = mkdtempSync(join(tmpdir(), `wh-${id}-`));
  const signer = Signer.generate().signer;
  const w = runWitness({
    ...(gossip ? { onCosigned: (n: string) => void gossip.publish(Buffer.from(n)) } : {}),
    id,
    bus: memoryBus(),
    topology: topology("wh"),
    signer,
    log,
    stateDir: dir,
    logger,
    proofs: httpConsistencyProofs(logUrl),
  });
  const s = await serveWitnessHttp({ listen: "127.0.0.1:0", add: w.add, logger });
  witnesses.push(w);
  servers.push(s);
  return { w, s, dir, vkey: vkeyFor(witnessName(id), COSIGNATURE_V1, signer.publicKey) };
}

const post = async (url: string, body: string, method = "POST") => {
  const r = await fetch(`${url}/add-checkpoint`, { method, ...(method === "POST" ? { body } : {}) });
  return { status: r.status, type: r.headers.get("content-type"), body: await r.text(), allow: r.headers.get("allow") };
};

describe("witness over HTTP", () => {
  it("answers each C2SP status code with its content type", async () => {
    const { s } = await start("h1");
    const a = leaves("a", 8);
    expect(
      (await post(s.url, addCheckpointRequest(0, [], checkpoint(a.slice(0, 3), logKey, "x.example/log")))).status,
    ).toBe(404);
    expect(
      (await post(s.url, addCheckpointRequest(0, [], checkpoint(a.slice(0, 3), Signer.generate().signer)))).status,
    ).toBe(403);
    expect((await post(s.url, "hello\n\n")).status).toBe(400);
    expect((await post(s.url, addCheckpointRequest(5, [], checkpoint(a.slice(0, 3))))).status).toBe(400);
    const ok = await post(s.url, addCheckpointRequest(0, [], checkpoint(a.slice(0, 3))));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/^— sentineliq\.local\/witness\/h1 [A-Za-z0-9+/=]+\n$/);
    const stale = await post(s.url, addCheckpointRequest(0, [], checkpoint(a.slice(0, 5))));
    expect(stale).toMatchObject({ status: 409, type: "text/x.tlog.size", body: "3\n" });
    const other = await post(
      s.url,
      addCheckpointRequest(3, [], checkpoint([...a.slice(0, 2), leafHash(Buffer.from("z"))])),
    );
    expect(other.status).toBe(409);
    expect(other.type).not.toBe("text/x.tlog.size");
    const forked = leaves("b", 6);
    expect(
      (await post(s.url, addCheckpointRequest(3, await proof(forked, 3), checkpoint(forked.slice(0, 6))))).status,
    ).toBe(200);
    const rewritten = leaves("c", 9);
    expect((await post(s.url, addCheckpointRequest(6, await proof(rewritten, 6), checkpoint(rewritten)))).status).toBe(
      422,
    );
  });

  it("answers 405 to anything but POST, 404 elsewhere, 413 over the body limit", async () => {
    const { s } = await start("h2");
    const get = await post(s.url, "", "GET");
    expect(get).toMatchObject({ status: 405, allow: "POST" });
    expect((await post(s.url, "", "PUT")).status).toBe(405);
    expect((await fetch(`${s.url}/other`, { method: "POST", body: "x" })).status).toBe(404);
    expect((await post(s.url, "old 0\n" + "A".repeat(WITNESS_BODY_LIMIT + 1))).status).toBe(413);
    // Still serving after the oversized request.
    expect((await post(s.url, addCheckpointRequest(0, [], checkpoint(leaves("a", 2))))).status).toBe(200);
  });

  it("never rolls back: of two concurrent requests from one old size, one is cosigned, the other gets 409", async () => {
    const { w, s, dir } = await start("h3");
    const a = leaves("a", 64);
    expect((await post(s.url, addCheckpointRequest(0, [], checkpoint(a.slice(0, 3))))).status).toBe(200);
    let size = 3;
    for (const [n, m] of [
      [5, 9],
      [20, 12],
      [30, 40],
    ] as const) {
      const [rn, rm] = await Promise.all([
        post(s.url, addCheckpointRequest(size, await proof(a.slice(0, n), size), checkpoint(a.slice(0, n)))),
        post(s.url, addCheckpointRequest(size, await proof(a.slice(0, m), size), checkpoint(a.slice(0, m)))),
      ]);
      expect([rn.status, rm.status].sort()).toEqual([200, 409]);
      const winner = rn.status === 200 ? n : m;
      const loser = rn.status === 200 ? rm : rn;
      expect(loser).toMatchObject({ type: "text/x.tlog.size", body: `${winner}\n` });
      expect(w.latest()!.size).toBe(winner);
      expect(JSON.parse(readFileSync(join(dir, "witness-h3.json"), "utf8")).size).toBe(winner);
      size = winner;
    }
  });
});

describe("the coordinator's HTTP witness client against a validator's HTTP witness", () => {
  it("gets a cosignature, catching up with the 409 size first", async () => {
    const { w, s, vkey } = await start("hc");
    const a = leaves("a", 12);
    expect((await post(s.url, addCheckpointRequest(0, [], checkpoint(a.slice(0, 3))))).status).toBe(200);
    const client = new WitnessClient({
      bus: memoryBus(),
      topology: topology("whc"),
      validatorSet: { validators: [] } as unknown as ValidatorSet,
      logger,
      proof: (m, n) => proof(a.slice(0, n), m),
      external: [{ url: s.url + "/", vkey }],
    });
    const r = await client.cosign(checkpoint(a.slice(0, 9)), 9);
    expect(r).toMatchObject({ external: 1, refused: [] });
    expect(r.lines[0]).toMatch(/^— sentineliq\.local\/witness\/hc /);
    expect(w.latest()!.size).toBe(9);
    const again = await client.cosign(checkpoint(a), 12);
    expect(again.external).toBe(1);
  });
});

describe("gossip across sizes", () => {
  it("raises nothing for a peer's consistent checkpoint of another size, larger or smaller", async () => {
    const { w, s } = await start("g1");
    expect((await post(s.url, addCheckpointRequest(0, [], checkpoint(historyA.slice(0, 10))))).status).toBe(200);
    expect(await w.heard(checkpoint(historyA.slice(0, 17)), "peer")).toBeNull();
    expect(await w.heard(checkpoint(historyA.slice(0, 6)), "peer")).toBeNull();
    expect(w.evidence).toEqual([]);
  });

  it("catches a split view: witness B was shown a checkpoint of another size inconsistent with A's", async () => {
    const A = await start("ga");
    const B = await start("gb");
    // The log shows A history A at size 10, and B a forged history at size 13 (signed with the log key).
    const forged = leaves("forged", 13);
    expect((await post(A.s.url, addCheckpointRequest(0, [], checkpoint(historyA.slice(0, 10))))).status).toBe(200);
    expect((await post(B.s.url, addCheckpointRequest(0, [], checkpoint(forged)))).status).toBe(200);
    const atA = await A.w.heard(B.w.latest()!.note, "gb");
    const atB = await B.w.heard(A.w.latest()!.note, "ga");
    expect(atA?.kind).toBe("inconsistent_sizes");
    expect(atB?.kind).toBe("inconsistent_sizes");
    expect(A.w.evidence.at(-1)).toMatchObject({ kind: "inconsistent_sizes", conflicting: B.w.latest()!.note });
  });

  it("counts a log that refuses, or answers nonsense for, the proof between two checkpoints it signed", async () => {
    const { w, s } = await start("gr");
    expect((await post(s.url, addCheckpointRequest(0, [], checkpoint(historyA.slice(0, 10))))).status).toBe(200);
    try {
      logMode = "failing"; // a 5xx is "not now": no evidence, and asked again next time
      expect(await w.heard(checkpoint(historyA.slice(0, 20)), "peer")).toBeNull();
      logMode = "refuse";
      const e = await w.heard(checkpoint(historyA.slice(0, 20)), "peer");
      expect(e).toMatchObject({ kind: "inconsistent_sizes", log_answer: expect.stringContaining("HTTP 404") });
      logMode = "garbage";
      const g = await w.heard(checkpoint(historyA.slice(0, 21)), "peer");
      expect(g).toMatchObject({ kind: "inconsistent_sizes", log_answer: expect.stringContaining("not json") });
      // Each pair is settled once: hearing it again raises no second alarm.
      expect(await w.heard(checkpoint(historyA.slice(0, 21)), "peer2")).toBeNull();
      expect(w.evidence).toHaveLength(2);
    } finally {
      logMode = "honest";
    }
  });

  it("ignores a checkpoint not signed by the log, and an unreachable log is not evidence", async () => {
    const { w, s } = await start("gu");
    expect((await post(s.url, addCheckpointRequest(0, [], checkpoint(historyA.slice(0, 10))))).status).toBe(200);
    expect(await w.heard(checkpoint(leaves("x", 20), Signer.generate().signer), "peer")).toBeNull();
    const down = runWitness({
      id: "gd",
      bus: memoryBus(),
      topology: topology("wh2"),
      signer: Signer.generate().signer,
      log,
      stateDir: mkdtempSync(join(tmpdir(), "wh-gd-")),
      logger,
      proofs: httpConsistencyProofs("http://127.0.0.1:1"),
    });
    witnesses.push(down);
    expect(down.add(addCheckpointRequest(0, [], checkpoint(historyA.slice(0, 10)))).status).toBe(200);
    expect(await down.heard(checkpoint(leaves("forged", 13)), "peer")).toBeNull();
    expect(down.evidence).toEqual([]);
  });

  it("through libp2p gossip: two witnesses shown histories of different sizes catch the split view", async () => {
    const heard: Record<string, RunningWitness | undefined> = {};
    for (const id of ["pa", "pb"]) {
      gossips.push(
        await startGossip({
          listen: "/ip4/127.0.0.1/tcp/0",
          peers: gossips.slice(-1).flatMap((g) => g.addresses),
          topic: `sentineliq/checkpoints/${origin}`,
          logger,
          onMessage: (data, from) => void heard[id]?.heard(Buffer.from(data).toString(), from),
        }),
      );
    }
    const [ga, gb] = gossips.slice(-2) as [Gossip, Gossip];
    const end = Date.now() + 15_000;
    while ((ga.peerCount() < 1 || gb.peerCount() < 1) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    const A = await start("pa", ga);
    const B = await start("pb", gb);
    heard.pa = A.w;
    heard.pb = B.w;
    expect((await post(A.s.url, addCheckpointRequest(0, [], checkpoint(historyA.slice(0, 10))))).status).toBe(200);
    expect((await post(B.s.url, addCheckpointRequest(0, [], checkpoint(leaves("forged", 13))))).status).toBe(200);
    const until = Date.now() + 15_000;
    while (A.w.evidence.length + B.w.evidence.length === 0 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    expect([...A.w.evidence, ...B.w.evidence].map((e) => e.kind)).toContain("inconsistent_sizes");
  }, 40_000);
});
