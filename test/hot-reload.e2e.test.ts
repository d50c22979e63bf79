/**
 * Hot reload under load, through `sentineliq dev`: payments keep flowing
 * while the pack directory changes. A broken file is rejected with its
 * file:line:column and the running pack keeps scoring; a valid change is
 * swapped in on every validator at the same moment, so each payment is
 * scored by one pack by all validators — none is lost, none mis-scored.
 */
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_PACK_DIR, loadPackDir } from "../rules/index.ts";
import { startDev, type DevNetwork } from "./helpers/dev.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes a file the way an editor's "save" should: whole, then renamed into place. */
function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.partial`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

describe("hot reload under load", () => {
  let net: DevNetwork;
  let pack: string;
  beforeAll(async () => {
    pack = mkdtempSync(join(tmpdir(), "siq-pack-"));
    cpSync(DEFAULT_PACK_DIR, pack, { recursive: true });
    net = await startDev({ rules: pack });
  }, 150_000);
  afterAll(async () => {
    await net?.stop();
    rmSync(pack, { recursive: true, force: true });
  });

  it("rejects a broken file, swaps a valid change on every node, and loses or mis-scores nothing", async () => {
    const oldHash = loadPackDir(pack).hash;
    const sent: Promise<{ status: number; body: any }>[] = [];
    let running = true;
    const workers = Array.from({ length: 6 }, async () => {
      while (running) {
        const p = net.post("/v1/payments", net.payment({ amount: "500.00" }));
        sent.push(p);
        await p;
      }
    });

    await sleep(1500);
    writeAtomically(join(pack, "broken.yaml"), "rules:\n  - id: broken\n    when: { field: amount, gtt: 5 }\n");
    await sleep(2500);
    rmSync(join(pack, "broken.yaml"));
    const header = readFileSync(join(pack, "pack.yaml"), "utf8");
    writeAtomically(join(pack, "pack.yaml"), header.replace("amount_limit: 10000", "amount_limit: 400"));
    const newHash = loadPackDir(pack).hash;
    await sleep(4500);
    running = false;
    await Promise.all(workers);

    const answers = await Promise.all(sent);
    expect(answers.length).toBeGreaterThan(30);
    const byHash = new Map<string, number>();
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(["settled", "challenged"]).toContain(a.body.status);
      const codes = a.body.reasons.map((r: { code: string }) => r.code);
      expect(codes.filter((c: string) => c.startsWith("QUORUM_"))).toEqual([]);
      const full = await net.get(`/v1/payments/${a.body.payment_id}`);
      const hashes = new Set(full.body.verdicts.map((v: { verdict: { rule_pack: string } }) => v.verdict.rule_pack));
      expect(full.body.verdicts.length).toBeGreaterThanOrEqual(3);
      expect(hashes.size).toBe(1); // every validator scored it with the same pack
      const hash = [...hashes][0] as string;
      byHash.set(hash, (byHash.get(hash) ?? 0) + 1);
      if (hash === oldHash) expect(a.body).toMatchObject({ risk_level: "LOW", status: "settled" });
      else {
        expect(hash).toBe(newHash);
        expect(a.body).toMatchObject({ risk_level: "HIGH", status: "challenged" });
        expect(codes).toContain("AMOUNT_OVER_LIMIT");
      }
    }
    expect([...byHash.keys()].sort()).toEqual([oldHash, newHash].sort());
    expect(byHash.get(newHash)).toBeGreaterThan(5);

    const log = readFileSync(join(net.dir, "logs", "v1.log"), "utf8");
    expect(log).toMatch(/rule pack rejected.*broken\.yaml:3:\d+.*gtt/);
  }, 60_000);
});
