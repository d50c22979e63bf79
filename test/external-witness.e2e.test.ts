/**
 * External witnesses: a third party's C2SP tlog-witness over HTTP (an
 * independent implementation, test/helpers/third-party-witness.ts) cosigns
 * the log's checkpoints; a checkpoint is published only with the required
 * external cosignatures; `sentineliq log verify --witness <its vkey>` accepts
 * it. A witness answering garbage or cosigning with another key is not
 * counted, and a witness whose state is ahead of the log's view (a lost
 * answer) is caught up with the 409 size and the retry.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpConsistencyProofs } from "../node/log-proofs.ts";
import { NoteVerifier, parseNote, verifiedSignatures } from "../protocol/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";
import { checkNote } from "./helpers/rfc6962.ts";
import { startThirdPartyWitness, type ThirdPartyWitness } from "./helpers/third-party-witness.ts";
import { cli, until } from "./helpers/cli.ts";

describe("external witnesses over HTTP", () => {
  let net: TestNetwork;
  let logVkey = "";
  let good: ThirdPartyWitness;
  let garbage: ThirdPartyWitness;
  let wrongKey: ThirdPartyWitness;
  const latest = async () => {
    const r = await fetch(`${net.url}/v1/log/checkpoint`);
    return r.status === 200 ? await r.text() : undefined;
  };
  const cosignedBy = (note: string, w: ThirdPartyWitness) =>
    verifiedSignatures(parseNote(note), [NoteVerifier.fromVkey(w.vkey)]).size === 1;
  const pay = async (n: number) => {
    for (let i = 0; i < n; i++) expect((await net.post(net.payment({ amount: `${i + 1}.00` }))).status).toBe(200);
  };

  beforeAll(async () => {
    good = await startThirdPartyWitness("witness.example/good", () => logVkey);
    garbage = await startThirdPartyWitness("witness.example/garbage", () => logVkey);
    wrongKey = await startThirdPartyWitness("witness.example/wrong-key", () => logVkey);
    garbage.mode = "garbage";
    wrongKey.mode = "wrong-key";
    net = await startNetwork({
      store: "pglite",
      coordinatorConfig: {
        externalWitnesses: [good, garbage, wrongKey].map((w) => ({ url: w.url, vkey: w.vkey })),
        externalWitnessQuorum: 1,
      },
    });
    logVkey = net.vkey;
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
    for (const w of [good, garbage, wrongKey]) await w?.close();
  });

  it("publishes checkpoints carrying the third-party witness's cosignature, and only its", async () => {
    await pay(3);
    await until(async () => {
      const note = await latest();
      return note !== undefined && checkNote(note, net.vkey).size >= 3;
    });
    const note = (await latest())!;
    expect(cosignedBy(note, good)).toBe(true);
    expect(note).not.toContain("witness.example/garbage");
    // The wrong-key witness's line names it, but does not verify: it is not carried.
    expect(note).not.toContain("witness.example/wrong-key");
    expect(good.size()).toBe(checkNote(note, net.vkey).size);
  });

  it("serves validators the consistency proofs gossip checks sizes with (and refuses sizes it never had)", async () => {
    const proofs = httpConsistencyProofs(net.url);
    const size = checkNote((await latest())!, net.vkey).size;
    expect(await proofs(1, size)).toMatchObject({ kind: "proof" });
    expect(await proofs(1, size + 1000)).toMatchObject({
      kind: "refused",
      answer: expect.stringContaining("HTTP 404"),
    });
  });

  it("`sentineliq log verify --witness` accepts its cosignature and refuses a key that did not cosign", async () => {
    const state = mkdtempSync(join(tmpdir(), "siq-verify-"));
    const base = ["log", "verify", "--url", net.url, "--vkey", net.vkey, "--state", state];
    const ok = await cli([...base, "--witness", good.vkey]);
    expect(ok.out).toContain("cosigned by witness.example/good");
    expect(ok.code).toBe(0);
    const bad = await cli([...base, "--witness", wrongKey.vkey]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("no valid cosignature from witness.example/wrong-key");
  });

  it("holds a checkpoint back while the only good witness is down: garbage and wrong-key answers do not count", async () => {
    const before = checkNote((await latest())!, net.vkey).size;
    good.mode = "down";
    await pay(2);
    await new Promise((r) => setTimeout(r, 2000));
    expect(checkNote((await latest())!, net.vkey).size).toBe(before);
    good.mode = "good";
    await until(async () => checkNote((await latest())!, net.vkey).size >= before + 2);
    expect(cosignedBy((await latest())!, good)).toBe(true);
  });

  it("catches up a witness whose answer was lost: 409 with its size, then the retry is cosigned", async () => {
    const size = checkNote((await latest())!, net.vkey).size;
    const seen = good.statuses.length;
    good.mode = "lose-answer";
    await pay(1);
    await until(() => good.size() >= size + 1);
    await pay(1);
    await until(async () => checkNote((await latest())!, net.vkey).size >= size + 2);
    expect(good.statuses.slice(seen)).toContain(409);
    expect(cosignedBy((await latest())!, good)).toBe(true);
  });
});
