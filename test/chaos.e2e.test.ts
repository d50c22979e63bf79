/**
 * Chaos: payments under load while the coordinator is killed with SIGKILL and
 * restarted, and a validator likewise. Agents retry with their idempotency
 * keys, as real ones do. In the end every accepted payment has exactly one
 * final state and exactly one decision in the log, and the log verifies.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { initNetwork } from "../cli/launcher/workspace.ts";
import { BIN } from "../cli/launcher/processes.ts";
import { freePort } from "../lib/nats-server.ts";
import { storeKinds, testStore, type TestStore } from "./helpers/db.ts";
import { dropStreams, testNats, uniqueNamespace, type TestNats } from "./helpers/nats.ts";

const run = promisify(execFile);
const FINAL = new Set(["approved", "settled", "rejected", "challenged", "failed"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("chaos: kill -9 under load", () => {
  const procs = new Set<ChildProcess>();
  let nats: TestNats;
  let store: TestStore | undefined;
  const namespace = uniqueNamespace();
  afterAll(async () => {
    for (const p of procs) p.kill("SIGKILL");
    await dropStreams(nats.url, namespace).catch(() => {});
    await nats?.stop();
    await store?.drop();
  });

  it("loses nothing and decides nothing twice", async () => {
    nats = await testNats();
    const dir = mkdtempSync(join(tmpdir(), "siq-chaos-"));
    const ws = initNetwork(dir, 4, "sentineliq.chaos/log");
    const port = await freePort();
    const usePg = storeKinds().includes("postgres");
    store = usePg ? testStore("postgres") : undefined;
    const config = JSON.parse(readFileSync(ws.coordinatorFile, "utf8"));
    Object.assign(config, {
      host: "127.0.0.1",
      port,
      natsUrl: nats.url,
      namespace,
      logLevel: "warn",
      ...(store ? { databaseUrl: store.url, dbSchema: store.schema } : { databaseUrl: join(dir, "pgdata") }),
    });
    writeFileSync(ws.coordinatorFile, JSON.stringify(config));
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "warn" };
    delete env.DATABASE_URL;
    delete env.PORT;
    const start = (args: string[]) => {
      const p = spawn(process.execPath, [BIN, ...args], { env, stdio: "ignore" });
      procs.add(p);
      p.once("exit", () => procs.delete(p));
      return p;
    };
    const node = (id: string) =>
      start([
        "node",
        "--id",
        id,
        "--key",
        ws.keyFile(id),
        "--nats",
        nats.url,
        "--namespace",
        namespace,
        "--log-vkey",
        join(dir, "log.vkey"),
        "--coordinator-key",
        join(dir, "coordinator-bus.pub"),
      ]);
    const coordinator = () => start(["coordinator", "--config", ws.coordinatorFile]);
    const validators = new Map(["v1", "v2", "v3", "v4"].map((id) => [id, node(id)]));
    let coord = coordinator();
    const base = `http://127.0.0.1:${port}`;
    const ready = async () => {
      for (const until = Date.now() + 30_000; Date.now() < until; await sleep(100)) {
        if (
          await fetch(`${base}/ready`).then(
            (r) => r.ok,
            () => false,
          )
        )
          return;
      }
      throw new Error("not ready");
    };
    await ready();

    const { api_key } = JSON.parse(readFileSync(join(dir, "credentials.json"), "utf8"));
    const example = {
      agent_id: "agent-chaos",
      sender: ws.addresses.agent,
      receiver: ws.addresses.merchant,
      amount: "9.99",
      currency: "USDC",
      debug_mode: true,
      trace_context: { purpose: "chaos" },
      func_stack_hashes: ["e57eb157d61a56f8d32a82fa47d04e96e531734430c80f6cb6b38d49137429f0"],
    };
    // An agent: retries on connection errors and 5xx with the same key until it has an answer.
    const pay = async (key: string) => {
      for (const until = Date.now() + 60_000; Date.now() < until; await sleep(200)) {
        try {
          const res = await fetch(`${base}/v1/payments`, {
            method: "POST",
            headers: { authorization: `Bearer ${api_key}`, "content-type": "application/json" },
            body: JSON.stringify({ ...example, idempotency_key: key }),
          });
          if (res.status === 200) return (await res.json()) as { payment_id: string; status: string };
        } catch {
          /* coordinator down: retry */
        }
      }
      throw new Error(`no answer for ${key}`);
    };

    const N = 240;
    const keys = Array.from({ length: N }, (_, i) => `chaos-${i}`);
    let done = 0;
    let next = 0;
    const answers = new Map<string, { payment_id: string; status: string }>();
    const load = Promise.all(
      Array.from({ length: 12 }, async () => {
        while (next < N) {
          const key = keys[next++]!;
          answers.set(key, await pay(key));
          done++;
        }
      }),
    );
    const chaos = (async () => {
      while (done < N * 0.25) await sleep(20);
      coord.kill("SIGKILL");
      await sleep(700);
      coord = coordinator();
      while (done < N * 0.55) await sleep(20);
      validators.get("v2")!.kill("SIGKILL");
      await sleep(1000);
      validators.set("v2", node("v2"));
      while (done < N * 0.75) await sleep(20);
      coord.kill("SIGKILL");
      await sleep(300);
      coord = coordinator();
    })();
    await Promise.all([load, chaos]);
    await ready();

    // Every answered payment settles into one final state.
    const final = new Map<string, string>();
    for (const until = Date.now() + 40_000; final.size < N && Date.now() < until; await sleep(500)) {
      for (const [key, a] of answers) {
        if (final.has(key)) continue;
        const res = await fetch(`${base}/v1/payments/${a.payment_id}`, {
          headers: { authorization: `Bearer ${api_key}` },
        });
        const body = (await res.json()) as { status: string; payment_id: string };
        if (FINAL.has(body.status)) final.set(key, body.status);
      }
    }
    expect(final.size).toBe(N);
    // One payment per key, one decision per payment, and the log holds up.
    const ids = new Set([...answers.values()].map((a) => a.payment_id));
    expect(ids.size).toBe(N);
    const page = async (start: number) =>
      (await (
        await fetch(`${base}/v1/log/entries?start=${start}&limit=1000`, {
          headers: { authorization: `Bearer ${api_key}` },
        })
      ).json()) as {
        entries: { leaf: string }[];
      };
    const entries = (await page(0)).entries.map(
      (e) => JSON.parse(Buffer.from(e.leaf, "base64").toString("utf8")) as { payment_id: string; attempt: number },
    );
    const perPayment = new Map<string, number>();
    for (const e of entries)
      perPayment.set(`${e.payment_id}:${e.attempt}`, (perPayment.get(`${e.payment_id}:${e.attempt}`) ?? 0) + 1);
    expect([...perPayment.values()].every((n) => n === 1)).toBe(true);
    expect(new Set(entries.map((e) => e.payment_id))).toEqual(ids);
    const approvals = [...final.values()].filter((s) => s === "settled").length;
    expect(approvals).toBeGreaterThan(N * 0.9);

    // Checkpoints are published asynchronously (at least once a second): wait for one covering every entry.
    for (let i = 0; i < 100; i++) {
      const cp = await (await fetch(`${base}/v1/log/checkpoint`)).text().catch(() => "");
      if (cp.split("\n")[1] === String(entries.length)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const verified = await run(
      process.execPath,
      [
        BIN,
        "log",
        "verify",
        "--url",
        base,
        "--network",
        ws.networkFile,
        "--key",
        api_key,
        "--vkey",
        (await (await fetch(`${base}/v1/log/vkey`)).text()).trim(),
      ],
      { env },
    );
    expect(verified.stdout).toContain(`✓ ${entries.length} entries verified`);
  }, 180_000);
});
