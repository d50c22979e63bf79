/**
 * `sentineliq log verify --tiles` on tlog-tiles logs written by other
 * implementations: one kept as test data (data/foreign-log/, written by a
 * Python generator with its own RFC 8032 Ed25519, never by our writer) and
 * logs written here (test/helpers/rfc6962.ts, tweetnacl): accepted as written,
 * rejected when tampered, and the auditor refuses a log that went backwards
 * or rewrote what it verified before. It runs where `npm start` has run (a
 * `.sentineliq/` with our network.json and dev credentials): another log's
 * entries are opaque bytes all the same; only our own log key makes them ours.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import nacl from "tweetnacl";
import { describe, expect, it } from "vitest";
import { BIN } from "../cli/launcher/processes.ts";
import { leaf, mth, signNoteNacl, vkeyNacl } from "./helpers/rfc6962.ts";

const run = promisify(execFile);
const keys = nacl.sign.keyPair.fromSeed(Buffer.alloc(32, 9));
const origin = "other.example/log";
const vkey = vkeyNacl(origin, keys.publicKey);

/** A folder as `npm start` leaves it: .sentineliq/network.json and dev-credentials.json with our own log key. */
function devFolder(ourLogVkey: string): string {
  const dir = mkdtempSync(join(tmpdir(), "dev-"));
  mkdirSync(join(dir, ".sentineliq"));
  const validators = [1, 2, 3, 4].map((i) => ({
    id: `v${i}`,
    public_key: Buffer.from(nacl.sign.keyPair.fromSeed(Buffer.alloc(32, i)).publicKey).toString("hex"),
  }));
  writeFileSync(join(dir, ".sentineliq", "network.json"), JSON.stringify({ validators }));
  const credentials = {
    api_key: "siq_dev_key_0123456789abcdef",
    base_url: "http://127.0.0.1:1",
    log_vkey: ourLogVkey,
    example_payment: {},
  };
  writeFileSync(join(dir, ".sentineliq", "dev-credentials.json"), JSON.stringify(credentials));
  return dir;
}
const ours = nacl.sign.keyPair.fromSeed(Buffer.alloc(32, 7));
const dev = devFolder(vkeyNacl("sentineliq.local/log", ours.publicKey));

/** Writes a tlog-tiles log of `entries` the simple way: every level's tiles from the naive tree. */
function writeLog(entries: Buffer[], tamper?: (dir: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), "foreign-"));
  const put = (p: string, data: Buffer) => {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), data);
  };
  const idx = (n: number) => {
    const groups: string[] = [];
    do {
      groups.unshift(String(n % 1000).padStart(3, "0"));
      n = Math.floor(n / 1000);
    } while (n > 0);
    return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join("/");
  };
  let level: Buffer[] = entries.map(leaf);
  for (let L = 0; level.length > 0; L++) {
    for (let n = 0; n * 256 < level.length; n++) {
      const chunk = level.slice(n * 256, n * 256 + 256);
      const suffix = chunk.length === 256 ? "" : `.p/${chunk.length}`;
      put(`tile/${L}/${idx(n)}${suffix}`, Buffer.concat(chunk));
      if (L === 0) {
        const es = entries.slice(n * 256, n * 256 + 256);
        put(
          `tile/entries/${idx(n)}${suffix}`,
          Buffer.concat(es.flatMap((e) => [Buffer.from([e.length >> 8, e.length & 255]), e])),
        );
      }
    }
    const next: Buffer[] = [];
    for (let i = 0; i + 256 <= level.length; i += 256) next.push(mth(level.slice(i, i + 256)));
    level = next;
  }
  const body = `${origin}\n${entries.length}\n${mth(entries.map(leaf)).toString("base64")}\n`;
  put("checkpoint", Buffer.from(signNoteNacl(body, origin, keys.secretKey, keys.publicKey)));
  tamper?.(dir);
  return dir;
}

async function verify(dir: string, state: string, cwd = dev, key = vkey) {
  try {
    const args = [BIN, "log", "verify", "--tiles", dir, "--vkey", key, "--state", state];
    const { stdout, stderr } = await run(process.execPath, args, { cwd });
    return { code: 0, out: stdout + stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

const entries = (n: number, tag = "") => Array.from({ length: n }, (_, i) => Buffer.from(`foreign entry ${i}${tag}`));

describe("log verify on the tlog-tiles log kept in data/foreign-log (written by an independent implementation)", () => {
  const kept = fileURLToPath(new URL("../data/foreign-log/log", import.meta.url));
  const keptVkey = readFileSync(fileURLToPath(new URL("../data/foreign-log/log.vkey", import.meta.url)), "utf8").trim();
  const tampered = (edit: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), "kept-"));
    cpSync(kept, dir, { recursive: true });
    edit(dir);
    return dir;
  };
  const check = (dir: string) => verify(dir, mkdtempSync(join(tmpdir(), "st-")), dev, keptVkey);

  it("accepts it as written: 700 entries (one empty, some over 255 bytes), two tile levels", async () => {
    const r = await check(kept);
    expect(r.out).toContain("✓ 700 entries verified; checkpoint 700 rMxfqc5XAORXZBIBIpx61/wVz724/CU7bhRKD0uw2Ow=");
    expect(r.out).toContain("not our log");
    expect(r.code).toBe(0);
  });

  it("rejects a tampered copy: an entry, a hash tile, the checkpoint, and another key", async () => {
    const entry = await check(
      tampered((dir) => {
        const file = join(dir, "tile/entries/001");
        const data = readFileSync(file);
        const at = data.indexOf("entry 300 of another log");
        data.write("entry 300 of another LOG", at);
        writeFileSync(file, data);
      }),
    );
    expect(entry.out).toContain("entry 300: LEAF_MISMATCH");
    expect(entry.code).toBe(1);
    const tile = await check(tampered((dir) => writeFileSync(join(dir, "tile/1/000.p/2"), Buffer.alloc(64))));
    expect(tile.out).toContain("TILE_MISMATCH");
    expect(tile.code).toBe(1);
    const cp = await check(
      tampered((dir) => {
        const file = join(dir, "checkpoint");
        writeFileSync(file, readFileSync(file, "utf8").replace("\n700\n", "\n699\n"));
      }),
    );
    expect(cp.out).toMatch(/BAD_CHECKPOINT/);
    expect(cp.code).toBe(1);
    const otherKey = await verify(kept, mkdtempSync(join(tmpdir(), "st-")), dev, vkey);
    expect(otherKey.code).toBe(1);
  });
});

describe("log verify on another implementation's tlog-tiles log", () => {
  it("accepts it as written (70,000 entries: three tile levels), beside our own network.json", async () => {
    const r = await verify(writeLog(entries(70_000)), mkdtempSync(join(tmpdir(), "st-")));
    expect(r.out).toContain("✓ 70000 entries verified");
    expect(r.out).toContain("not our log");
    expect(r.out).not.toContain("BAD_ENTRY");
    expect(r.code).toBe(0);
  }, 60_000);

  it("checks entries for our meaning only when the log key is our network's", async () => {
    // The same bytes, claimed as ours by the dev credentials: now they must be our canonical entries, and are not.
    const claimed = devFolder(vkey);
    const r = await verify(writeLog(entries(5)), mkdtempSync(join(tmpdir(), "st-")), claimed);
    expect(r.out).toContain("entry 0: BAD_ENTRY");
    expect(r.code).toBe(1);
  });

  it("rejects an edited entry, naming it, and an edited upper tile", async () => {
    const state = mkdtempSync(join(tmpdir(), "st-"));
    const edited = writeLog(entries(600), (dir) => {
      const es = entries(600);
      es[300] = Buffer.from("foreign entry 30X");
      writeFileSync(
        join(dir, "tile/entries/001"),
        Buffer.concat(es.slice(256, 512).flatMap((e) => [Buffer.from([0, e.length]), e])),
      );
    });
    const r = await verify(edited, state);
    expect(r.code).toBe(1);
    expect(r.out).toContain("entry 300: LEAF_MISMATCH");
    const tile = writeLog(entries(600), (dir) => writeFileSync(join(dir, "tile/1/000.p/2"), Buffer.alloc(64)));
    const t = await verify(tile, state);
    expect(t.code).toBe(1);
    expect(t.out).toContain("TILE_MISMATCH");
    const leafTile = writeLog(entries(600), (dir) => {
      const data = readFileSync(join(dir, "tile/0/002.p/88"));
      data.writeUInt8(data.readUInt8(5 * 32) ^ 1, 5 * 32);
      writeFileSync(join(dir, "tile/0/002.p/88"), data);
    });
    const l = await verify(leafTile, state);
    expect(l.code).toBe(1);
    expect(l.out).toContain("entry 517: LEAF_MISMATCH");
  });

  it("remembers the last checkpoint: refuses to go backwards, and catches rewritten history", async () => {
    const state = mkdtempSync(join(tmpdir(), "st-"));
    expect((await verify(writeLog(entries(40)), state)).code).toBe(0);
    const back = await verify(writeLog(entries(30)), state);
    expect(back.code).toBe(1);
    expect(back.out).toContain("WENT_BACKWARDS");
    const rewritten = entries(50);
    rewritten[3] = Buffer.from("history rewritten");
    const fork = await verify(writeLog(rewritten), state);
    expect(fork.code).toBe(1);
    expect(fork.out).toContain("FORK");
    expect((await verify(writeLog(entries(50)), state)).code).toBe(0);
  });
});
