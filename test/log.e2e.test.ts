/**
 * The verdict log end to end: payments through the real network, then an
 * independent RFC 6962 / signed-note implementation checks the checkpoint,
 * the root over every leaf and the proofs; receipts verify offline; the
 * archive of tiles verifies with `sentineliq log verify --tiles`; redelivery
 * never logs twice. Entry contents are private: anonymous readers get the
 * checkpoint, tiles of hashes and proofs but no entry; an organisation reads
 * only its own entries; an auditor reads all of them.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectJetStream } from "../lib/bus/jetstream.ts";
import {
  COSIGNATURE_V1,
  decisionKey,
  NoteVerifier,
  parseTlogProof,
  signBusMessage,
  topology,
  verifyTlogProof,
  witnessName,
} from "../protocol/index.ts";
import { checkNote, consistency, leaf, mth, path } from "./helpers/rfc6962.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";
import { cli, until } from "./helpers/cli.ts";

describe("verdict log", () => {
  let net: TestNetwork;
  let archive: string;
  const paid: { payment_id: string; log_index: number }[] = [];
  const checkpoint = async () => {
    const r = await fetch(`${net.url}/v1/log/checkpoint`);
    return r.status === 200 ? checkNote(await r.text(), net.vkey) : undefined;
  };
  beforeAll(async () => {
    archive = mkdtempSync(join(tmpdir(), "siq-tiles-"));
    net = await startNetwork({ store: "pglite", coordinatorConfig: { tileArchiveDir: archive } });
    for (let i = 0; i < 300; i += 25) {
      const answers = await Promise.all(
        Array.from({ length: 25 }, (_, j) =>
          net.post(
            net.payment({
              amount: `${1 + ((i + j) % 40)}.00`,
              ...((i + j) % 50 === 7 ? { metadata: { country_code: "KP" } } : {}),
            }),
          ),
        ),
      );
      for (const a of answers) paid.push(a.body);
    }
    await until(async () => (await checkpoint())?.size === 300, 60_000);
  }, 240_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("gives every payment a distinct log index", () => {
    expect(new Set(paid.map((p) => p.log_index)).size).toBe(300);
  });

  it("serves a checkpoint that an independent implementation verifies against every leaf", async () => {
    const cp = (await checkpoint())!;
    expect(cp.origin).toBe("sentineliq.local/log");
    const leaves: Buffer[] = [];
    for (let start = 0; start < cp.size; start += 1000) {
      const page = (await net.get(`/v1/log/entries?start=${start}&limit=1000`, net.auditorKey)).body;
      for (const e of page.entries) leaves.push(leaf(Buffer.from(e.leaf, "base64")));
    }
    expect(mth(leaves.slice(0, cp.size)).equals(cp.root)).toBe(true);
    for (const i of [0, 1, 128, 255, 256, 299]) {
      const proof = (await net.get(`/v1/log/proof/inclusion?index=${i}&tree_size=${cp.size}`)).body.hashes;
      expect(proof).toEqual(path(i, leaves.slice(0, cp.size)).map((h) => h.toString("base64")));
    }
    for (const m of [1, 7, 64, 256, 299]) {
      const proof = (await net.get(`/v1/log/proof/consistency?first=${m}&second=${cp.size}`)).body.hashes;
      expect(proof).toEqual(consistency(m, leaves.slice(0, cp.size)).map((h) => h.toString("base64")));
    }
  });

  it("answers bad proof requests with typed errors", async () => {
    expect((await net.get("/v1/log/proof/inclusion?index=5&tree_size=3")).status).toBe(400);
    expect((await net.get("/v1/log/proof/inclusion?index=0&tree_size=999999")).body.code).toBe("NOT_FOUND");
    expect((await net.get("/v1/log/tile/0/abc")).status).toBe(404);
  });

  it("publishes checkpoints cosigned by at least k validator witnesses", async () => {
    const note = await (await fetch(`${net.url}/v1/log/checkpoint`)).text();
    const witnesses = net.validatorSet.validators.map(
      (v) => new NoteVerifier(witnessName(v.id), COSIGNATURE_V1, Buffer.from(v.public_key, "hex")),
    );
    const { parseNote, verifiedSignatures } = await import("../protocol/index.ts");
    expect(verifiedSignatures(parseNote(note), witnesses).size).toBeGreaterThanOrEqual(3);
  });

  it("returns a tlog-proof receipt that verifies offline", async () => {
    const p = paid[42]!;
    const res = await fetch(`${net.url}/v1/payments/${p.payment_id}/receipt`, {
      headers: { authorization: `Bearer ${net.apiKey}` },
    });
    const text = await res.text();
    expect(text.startsWith("c2sp.org/tlog-proof@v1\n")).toBe(true);
    const entry = Buffer.from(
      (await net.get(`/v1/log/entries?start=${p.log_index}&limit=1`)).body.entries[0].leaf,
      "base64",
    );
    const witnesses = net.validatorSet.validators.map(
      (v) => new NoteVerifier(witnessName(v.id), COSIGNATURE_V1, Buffer.from(v.public_key, "hex")),
    );
    const r = verifyTlogProof(text, entry, NoteVerifier.fromVkey(net.vkey), witnesses, 3);
    expect(r.index).toBe(p.log_index);
    // The receipt carries the payer's own entry: it verifies with nothing else.
    expect(parseTlogProof(text).extra).toEqual(entry);
    expect(() => verifyTlogProof(text, Buffer.from("another entry"), NoteVerifier.fromVkey(net.vkey))).toThrow(
      /inclusion proof/,
    );
    const other = await fetch(`${net.url}/v1/payments/${p.payment_id}/receipt`, {
      headers: { authorization: `Bearer ${net.apiKey}-b` },
    });
    expect(other.status).toBe(404);
  });

  it("never logs a redelivered decision twice", async () => {
    const bus = await connectJetStream(net.natsUrl);
    const t = topology(net.namespace);
    const [row] = await net.db.query<{ entry_key: string; entry: Buffer; idx: string }>(
      "SELECT entry_key, entry, idx FROM siq_log_entries WHERE idx = 5",
    );
    const msg = { type: "sentineliq.log_append.v2", key: row!.entry_key, entry: row!.entry.toString("base64") };
    // Signed as the coordinator signs its appends (an unsigned one is refused before anything else).
    const signed = (m: object) => Buffer.from(JSON.stringify(signBusMessage(net.busKey.signer, m)));
    // A different message id gets past JetStream's de-duplication: the sequencer must still refuse it.
    await bus.publish(t.subjects.logAppend, signed(msg), { msgId: `again-${Date.now()}` });
    // A message under the tag before v2, still in a stream after an upgrade, is still logged.
    const fresh = {
      ...msg,
      type: "sentineliq.logappend.v1",
      key: "test:marker",
      entry: Buffer.from('{"n":1,"type":"test.marker.v1"}').toString("base64"),
    };
    await bus.publish(t.subjects.logAppend, signed(fresh));
    await bus.close();
    await until(
      async () => (await net.db.query("SELECT 1 FROM siq_log_entries WHERE entry_key = 'test:marker'")).length === 1,
    );
    const n = await net.db.query<{ n: number }>("SELECT count(*)::int AS n FROM siq_log_entries WHERE entry_key = $1", [
      row!.entry_key,
    ]);
    expect(n[0]!.n).toBe(1);
    expect(row!.entry_key).toMatch(/^decision:pay_/);
    expect(decisionKey("p", 1)).toBe("decision:p:1");
  });

  it("writes an archive of tiles whose tree `log verify --tiles` accepts, and whose entry of an unknown type fails", async () => {
    await until(async () => (await checkpoint())?.size === 301);
    await until(() => readFileSync(join(archive, "checkpoint"), "utf8").includes("\n301\n"));
    const state = mkdtempSync(join(tmpdir(), "siq-aud-"));
    const network = ["--network", join(net.dir, "network.json")];
    const args = ["log", "verify", "--tiles", archive, "--vkey", net.vkey, "--state", state];
    // The tree alone holds (the marker is a well-formed entry); our own log never holds a test.marker.v1.
    const r = await cli([...args, ...network]);
    expect(r.out).toMatch(/entry 300: UNKNOWN_ENTRY_TYPE/);
    expect(r.code).toBe(1);
    const treeOnly = await cli(args);
    expect(treeOnly.out).toContain("✓ 301 entries verified");
    expect(treeOnly.code).toBe(0);
    const viaUrl = await cli(["log", "verify", "--url", net.url, "--vkey", net.vkey, "--state", state]);
    expect(viaUrl.code).toBe(0);
    expect(viaUrl.out).toContain("tree of 301 entries verified");
    expect(viaUrl.out).toContain("0 of 301 entries read");
    const asAuditor = ["log", "verify", "--url", net.url, "--vkey", net.vkey, "--state", state];
    const all = await cli([...asAuditor, "--key", net.auditorKey]);
    expect(all.out).toContain("✓ 301 entries verified");
    expect(all.code).toBe(0);
  });

  it("rejects a tampered copy of the archive (naming the entry) and a forged checkpoint", async () => {
    const copy = mkdtempSync(join(tmpdir(), "siq-tiles-bad-"));
    cpSync(archive, copy, { recursive: true });
    const bundle = join(copy, "tile/entries/000");
    const data = readFileSync(bundle);
    const at = data.indexOf('"risk_level":"LOW"', 2 + data.readUInt16BE(0) + 2 + 10);
    data.write('"risk_level":"MID"', at);
    writeFileSync(bundle, data);
    const state = mkdtempSync(join(tmpdir(), "siq-aud-"));
    const r = await cli(["log", "verify", "--tiles", copy, "--vkey", net.vkey, "--state", state]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/entry [1-9]\d*: LEAF_MISMATCH/);

    const forged = mkdtempSync(join(tmpdir(), "siq-tiles-cp-"));
    cpSync(archive, forged, { recursive: true });
    const cp = readFileSync(join(forged, "checkpoint"), "utf8");
    writeFileSync(join(forged, "checkpoint"), cp.replace("\n301\n", "\n300\n"));
    const f = await cli(["log", "verify", "--tiles", forged, "--vkey", net.vkey, "--state", state]);
    expect(f.code).toBe(1);
    expect(f.out).toMatch(/BAD_CHECKPOINT/);
  });

  it("keeps entry contents private: anonymous reads none, each organisation its own, the auditor all", async () => {
    const anonymous = async (path: string) => fetch(`${net.url}${path}`);
    const refused = await anonymous("/v1/log/entries?start=0&limit=10");
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error_details: { code: string } }).error_details.code).toBe("UNAUTHENTICATED");
    for (const path of ["/v1/log/tile/entries/000", "/v1/log/tile/entries/001.p/45", "/v1/log/tile/%65ntries/000"])
      expect({ path, status: (await anonymous(path)).status >= 400 }).toEqual({ path, status: true });
    expect((await net.get("/v1/log/tile/entries/000")).status).toBe(403);
    // Tenant B pays once: its entry is B's alone.
    const b = (await net.post(net.payment({ amount: "3.00" }), `${net.apiKey}-b`)).body as { log_index: number };
    await until(async () => ((await checkpoint())?.size ?? 0) > b.log_index, 30_000);
    const size = (await checkpoint())!.size;
    const read = async (key: string) => {
      const out: number[] = [];
      for (let start = 0; ;) {
        const page = (await net.get(`/v1/log/entries?start=${start}&limit=1000`, key)).body;
        if (page.entries.length === 0) return out;
        out.push(...page.entries.map((e: { index: number }) => e.index));
        start = out.at(-1)! + 1;
      }
    };
    expect(await read(`${net.apiKey}-b`)).toEqual([b.log_index]);
    const a = await read(net.apiKey);
    expect(a).toHaveLength(300);
    expect(a).not.toContain(b.log_index);
    expect(await read(net.auditorKey)).toEqual(Array.from({ length: size }, (_, i) => i));
    // What anyone may check stays public: checkpoint, hash tiles, inclusion and consistency proofs.
    for (const path of [
      "/v1/log/vkey",
      "/v1/log/checkpoint",
      "/v1/log/tile/0/000",
      `/v1/log/proof/inclusion?index=${b.log_index}&tree_size=${size}`,
      `/v1/log/proof/consistency?first=1&second=${size}`,
    ])
      expect({ path, status: (await anonymous(path)).status }).toEqual({ path, status: 200 });
    // log verify with tenant B's key: the whole tree, and B's one entry read.
    const state = mkdtempSync(join(tmpdir(), "siq-aud-"));
    const r = await cli([
      "log",
      "verify",
      "--url",
      net.url,
      "--vkey",
      net.vkey,
      "--state",
      state,
      "--key",
      `${net.apiKey}-b`,
    ]);
    expect(r.out).toContain(`tree of ${size} entries verified`);
    expect(r.out).toContain(`1 of ${size} entries read`);
    expect(r.code).toBe(0);
  });
});
