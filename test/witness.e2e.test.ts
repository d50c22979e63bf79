/**
 * Validators as C2SP witnesses: add-checkpoint status codes, a fork shown to
 * one witness (409 + evidence), an inconsistent extension (422 + evidence),
 * and a split view across two witnesses caught by libp2p gossip.
 */
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { memoryBus } from "../lib/bus/memory.ts";
import { createLogger } from "../lib/logger.ts";
import { startGossip, type Gossip } from "../node/gossip.ts";
import { runWitness, type RunningWitness } from "../node/witness.ts";
import {
  addCheckpointRequest,
  checkpointBody,
  consistencyRanges,
  ED25519,
  leafHash,
  NoteVerifier,
  rangeHash,
  rootFromLeafHashes,
  signNote,
  Signer,
  topology,
  WitnessReply,
} from "../protocol/index.ts";

const origin = "sentineliq.local/log";
const logKey = Signer.generate().signer;
const log = new NoteVerifier(origin, ED25519, logKey.publicKey);
const t = topology("wt");
const bus = memoryBus();
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
const ask = async (id: string, old: number, p: Buffer[], note: string) =>
  WitnessReply.parse(
    JSON.parse(
      Buffer.from(
        await bus.request(t.subjects.witnessAddCheckpoint(id), Buffer.from(addCheckpointRequest(old, p, note)), 2000),
      ).toString(),
    ),
  );

const dirs = { w1: mkdtempSync(join(tmpdir(), "w1-")), w2: mkdtempSync(join(tmpdir(), "w2-")) };
const gossips: Gossip[] = [];
const witnesses: Record<string, RunningWitness> = {};
afterAll(async () => {
  for (const g of gossips) await g.stop();
  for (const w of Object.values(witnesses)) w.stop();
});

describe("witness add-checkpoint", () => {
  it("starts the witnesses with gossip between them", async () => {
    for (const id of ["w1", "w2"] as const) {
      const g = await startGossip({
        listen: "/ip4/127.0.0.1/tcp/0",
        peers: gossips.flatMap((x) => x.addresses),
        topic: `sentineliq/checkpoints/${origin}`,
        logger,
        onMessage: (data, from) => void witnesses[id]?.heard(Buffer.from(data).toString(), from),
      });
      gossips.push(g);
      witnesses[id] = runWitness({
        id,
        bus,
        topology: t,
        signer: Signer.generate().signer,
        log,
        stateDir: dirs[id],
        logger,
        onCosigned: (n) => void g.publish(Buffer.from(n)),
      });
    }
    const end = Date.now() + 10_000;
    while (gossips.some((g) => g.peerCount() < 1) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(gossips.every((g) => g.peerCount() >= 1)).toBe(true);
  });

  it("answers 404 for an unknown origin, 403 for a forged signature, 400 for nonsense, 409 with its size", async () => {
    expect((await ask("w1", 0, [], checkpoint(leaves("a", 3), logKey, "other.example/log"))).status).toBe(404);
    const forger = Signer.generate().signer;
    expect((await ask("w1", 0, [], checkpoint(leaves("a", 3), forger))).status).toBe(403);
    const raw = await bus.request(t.subjects.witnessAddCheckpoint("w1"), Buffer.from("hello\n\n"), 2000);
    expect(WitnessReply.parse(JSON.parse(Buffer.from(raw).toString())).status).toBe(400);
    expect((await ask("w1", 0, [], checkpoint(leaves("a", 3)))).status).toBe(200);
    const stale = await ask("w1", 0, [], checkpoint(leaves("a", 4)));
    expect(stale).toMatchObject({ status: 409, content_type: "text/x.tlog.size", body: "3\n" });
    const a4 = leaves("a", 4);
    expect((await ask("w1", 3, await proof(a4, 3), checkpoint(a4))).status).toBe(200);
  });

  it("catches a fork shown to one witness: same size, other root → 409 and evidence", async () => {
    const a = leaves("a", 6);
    expect((await ask("w1", 4, await proof(a, 4), checkpoint(a))).status).toBe(200);
    const before = witnesses.w1!.evidence.length;
    const b = leaves("b", 6);
    const r = await ask("w1", 6, [], checkpoint(b));
    expect(r.status).toBe(409);
    expect(witnesses.w1!.evidence.length).toBe(before + 1);
    expect(witnesses.w1!.evidence.at(-1)!.kind).toBe("same_size_other_root");
    expect(readdirSync(dirs.w1).some((f) => f.startsWith("evidence-w1-"))).toBe(true);
  });

  it("refuses an extension that rewrites history: 422 and evidence", async () => {
    const b = leaves("b", 9);
    const r = await ask("w1", 6, await proof(b, 6), checkpoint(b));
    expect(r.status).toBe(422);
    expect(witnesses.w1!.evidence.at(-1)!.kind).toBe("inconsistent_proof");
    expect(existsSync(join(dirs.w1, "witness-w1.json"))).toBe(true);
  });

  it("catches a split view across witnesses through gossip", async () => {
    // The log shows w2 history B of size 6 while w1 cosigned history A of size 6.
    const before = witnesses.w1!.evidence.length + witnesses.w2!.evidence.length;
    expect((await ask("w2", 0, [], checkpoint(leaves("b", 6)))).status).toBe(200);
    const end = Date.now() + 10_000;
    while (witnesses.w1!.evidence.length + witnesses.w2!.evidence.length === before && Date.now() < end)
      await new Promise((r) => setTimeout(r, 100));
    const fresh = [...witnesses.w1!.evidence, ...witnesses.w2!.evidence].slice(0);
    expect(fresh.length).toBeGreaterThan(before);
    expect(
      readdirSync(dirs.w2)
        .concat(readdirSync(dirs.w1))
        .filter((f) => f.startsWith("evidence-")).length,
    ).toBeGreaterThanOrEqual(2);
  });
});
