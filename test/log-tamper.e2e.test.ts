/**
 * `sentineliq log verify` passes on an honest log and fails, naming the entry,
 * once one stored row is edited (the append-only trigger has to be disabled
 * first, as a database administrator could).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeKinds } from "./helpers/db.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";
import { BIN } from "../cli/launcher/processes.ts";

const run = promisify(execFile);

async function verify(net: TestNetwork, dbUrl: string) {
  const args = [
    BIN,
    "log",
    "verify",
    "--db",
    dbUrl,
    "--network",
    `${net.dir}/network.json`,
    "--vkey",
    net.vkey,
    "--state",
    `${net.dir}/auditor`,
  ];
  if (net.store.schema) args.push("--schema", net.store.schema);
  try {
    const { stdout, stderr } = await run(process.execPath, args);
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

describe.each(storeKinds())("log verify on %s", (store) => {
  let net: TestNetwork;
  let dbUrl: string;
  beforeAll(async () => {
    net = await startNetwork({ store });
    for (let i = 0; i < 5; i++) await net.post(net.payment({ amount: `${10 + i}.00` }));
    await net.post(net.payment({ metadata: { country_code: "IR" } }));
    // Wait for the checkpoint covering all six entries.
    for (let i = 0; i < 200; i++) {
      const r = await fetch(`${net.url}/v1/log/checkpoint`);
      if (r.status === 200 && (await r.text()).split("\n")[1] === "6") break;
      await new Promise((res) => setTimeout(res, 50));
    }
    if (store === "pglite") {
      // PGlite is one process's: move the data to a directory the CLI can open.
      const { mkdtempSync } = await import("node:fs");
      const { tmpdir } = await import("node:os");
      dbUrl = mkdtempSync(`${tmpdir()}/siq-pgl-`);
      const { openDb } = await import("../lib/db.ts");
      const { migrate } = await import("../coordinator/index.ts");
      const copy = await openDb({ url: dbUrl });
      await migrate(copy);
      const rows = await net.db.query("SELECT * FROM siq_log_entries ORDER BY idx");
      for (const r of rows) {
        await copy.query(
          "INSERT INTO siq_log_entries (idx, entry_key, entry_type, payment_id, entry) VALUES ($1,$2,$3,$4,$5)",
          [r.idx, r.entry_key, r.entry_type, r.payment_id, r.entry],
        );
      }
      for (const r of await net.db.query("SELECT * FROM siq_log_tiles")) {
        await copy.query("INSERT INTO siq_log_tiles (level, n, hashes) VALUES ($1,$2,$3)", [r.level, r.n, r.hashes]);
      }
      for (const r of await net.db.query("SELECT * FROM siq_log_checkpoints")) {
        await copy.query(
          "INSERT INTO siq_log_checkpoints (size, root, signed_note, cosigned_note) VALUES ($1,$2,$3,$4)",
          [r.size, r.root, r.signed_note, r.cosigned_note],
        );
      }
      await copy.close();
      await net.coordinator.close();
    } else dbUrl = net.store.url;
  });
  afterAll(async () => {
    await net?.stop().catch(() => {});
  });

  it("passes on the honest log", async () => {
    const r = await verify(net, dbUrl);
    expect(r.out).toContain("✓ 6 entries verified");
    expect(r.code).toBe(0);
  });

  it("refuses an edit while the append-only trigger is on", async () => {
    const { openDb } = await import("../lib/db.ts");
    const db = store === "pglite" ? await openDb({ url: dbUrl }) : net.db;
    await expect(db.query("UPDATE siq_log_entries SET payment_id = 'x' WHERE idx = 0")).rejects.toThrow(/append-only/);
    if (store === "pglite") await db.close();
  });

  it("fails and names entry 3 after its decision is edited", async () => {
    const { openDb } = await import("../lib/db.ts");
    const db = store === "pglite" ? await openDb({ url: dbUrl }) : net.db;
    const [row] = await db.query<{ entry: Buffer }>("SELECT entry FROM siq_log_entries WHERE idx = 3");
    const edited = Buffer.from(row!.entry.toString("utf8").replace('"risk_level":"LOW"', '"risk_level":"MEDIUM"'));
    expect(edited.equals(row!.entry)).toBe(false);
    await db.tx(async (q) => {
      await q.query("ALTER TABLE siq_log_entries DISABLE TRIGGER siq_log_entries_append_only");
      await q.query("UPDATE siq_log_entries SET entry = $1 WHERE idx = 3", [edited]);
      await q.query("ALTER TABLE siq_log_entries ENABLE TRIGGER siq_log_entries_append_only");
    });
    if (store === "pglite") await db.close();
    const r = await verify(net, dbUrl);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/entry 3: LEAF_MISMATCH/);
  });
});
