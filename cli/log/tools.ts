/** `sentineliq log show | tail | proof | consistency`: read the log through a coordinator and check what it says. */
import { readFileSync } from "node:fs";
import {
  formatTlogProof,
  leafHash,
  openCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type Checkpoint,
} from "../../protocol/index.ts";
import { call } from "../shared/client.ts";
import { devCredentials, resolveTarget } from "../shared/credentials.ts";
import { env } from "../shared/env.ts";
import { entryReaderKey } from "./reader-key.ts";
import { runLogShowType } from "./show-type.ts";
import { EXIT, fail, logVerifier } from "./verify.ts";

interface Flags {
  url?: string;
  apiKey?: string;
  vkey?: string;
  follow?: boolean;
  lines?: number;
}

const baseUrl = (f: Flags) => {
  const url = f.url ?? env.sentineliqUrl ?? devCredentials()?.base_url;
  if (!url) throw new Error("no coordinator: pass --url, set SENTINELIQ_URL, or run `npm start` first");
  return url;
};

/** Entry contents are private: read with --api-key, SENTINELIQ_API_KEY, or the dev auditor key (dev coordinator only). */
const reader = (base: string, f: Flags) => ({ baseUrl: base, apiKey: entryReaderKey(f.apiKey, base) });

async function entryAt(base: string, index: number, f: Flags): Promise<{ index: number; leaf: string } | undefined> {
  const res = await call(reader(base, f), "logEntries", { query: { start: index, limit: 1 } });
  if (res.status === 401 || res.status === 403)
    throw new Error(`GET /v1/log/entries answered ${res.status}: entries are read with an API key (--api-key)`);
  if (res.status !== 200) throw new Error(`GET /v1/log/entries answered ${res.status}`);
  return (res.body as { entries: { index: number; leaf: string }[] }).entries.find((e) => e.index === index);
}
const NOT_READABLE = "(or it is another organisation's, not readable with this key)";

async function latest(base: string, vkey: string | undefined): Promise<{ checkpoint: Checkpoint; note: string }> {
  const res = await call({ baseUrl: base }, "logCheckpoint");
  if (res.status !== 200) throw new Error(`GET /v1/log/checkpoint answered ${res.status}`);
  return { checkpoint: openCheckpoint(res.text, logVerifier(vkey)).checkpoint, note: res.text };
}

/** An entry's bytes as JSON (entries are JCS objects; anything else shows as its text). */
const decode = (leaf: string): Record<string, unknown> => {
  const text = Buffer.from(leaf, "base64").toString("utf8");
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : { value: v };
  } catch {
    return { text };
  }
};

const field = (d: Record<string, unknown>, k: string) => {
  const v = d[k];
  return typeof v === "string" || typeof v === "number" ? String(v) : "";
};

const print = (index: number, leaf: string) => {
  process.stdout.write(JSON.stringify({ index, ...decode(leaf) }, null, 2) + "\n");
};

export async function runLogShow(what: string | undefined, f: Flags & { type?: "admin" }): Promise<number> {
  try {
    const base = baseUrl(f);
    if (f.type) {
      if (what !== undefined) return fail("give a payment id or index, or --type, not both", EXIT.USAGE);
      return await runLogShowType(f.type, reader(base, f));
    }
    if (what === undefined) return fail("give a payment id, a log index, or --type admin", EXIT.USAGE);
    let index = /^\d+$/.test(what) ? Number(what) : undefined;
    if (index === undefined) {
      const res = await call(resolveTarget(f), "getPayment", { params: { payment_id: what } });
      if (res.status !== 200) return fail(`payment ${what}: HTTP ${res.status}`);
      index = (res.body as { log_index?: number }).log_index;
      if (index === undefined) return fail(`payment ${what} has no logged decision yet`);
    }
    const e = await entryAt(base, index, f);
    if (!e) return fail(`no entry ${index} ${NOT_READABLE}`);
    print(e.index, e.leaf);
    return EXIT.OK;
  } catch (e) {
    return fail((e as Error).message, EXIT.USAGE);
  }
}

export async function runLogTail(f: Flags): Promise<number> {
  try {
    const base = baseUrl(f);
    let { checkpoint } = await latest(base, f.vkey);
    let next = Math.max(0, checkpoint.size - (f.lines ?? 10));
    for (;;) {
      while (next < checkpoint.size) {
        const res = await call(reader(base, f), "logEntries", {
          query: { start: next, limit: Math.min(1000, checkpoint.size - next) },
        });
        if (res.status !== 200) return fail(`GET /v1/log/entries answered ${res.status} (entries need --api-key)`);
        const entries = (res.body as { entries: { index: number; leaf: string }[] }).entries;
        if (entries.length === 0) break;
        for (const e of entries) {
          const d = decode(e.leaf);
          const cols = ["type", "payment_id", "decision", "risk_level"].map((k) => field(d, k));
          process.stdout.write(`${e.index}\t${cols.join("\t")}\n`);
          next = e.index + 1;
        }
      }
      if (!f.follow) return EXIT.OK;
      await new Promise((r) => setTimeout(r, 1000));
      const now = await latest(base, f.vkey);
      if (now.checkpoint.size < checkpoint.size)
        return fail(`the log went backwards: ${now.checkpoint.size} < ${checkpoint.size}`);
      checkpoint = now.checkpoint;
    }
  } catch (e) {
    return fail((e as Error).message, EXIT.USAGE);
  }
}

export async function runLogProof(indexText: string, f: Flags): Promise<number> {
  try {
    const base = baseUrl(f);
    const index = Number(indexText);
    if (!Number.isSafeInteger(index) || index < 0) return fail("<index> is a whole number", EXIT.USAGE);
    const { checkpoint, note } = await latest(base, f.vkey);
    if (index >= checkpoint.size)
      return fail(`entry ${index} is not covered by the checkpoint (size ${checkpoint.size}) yet`);
    const e = await entryAt(base, index, f);
    if (!e) return fail(`no entry ${index} ${NOT_READABLE}`);
    const res = await call({ baseUrl: base }, "logInclusion", { query: { index, tree_size: checkpoint.size } });
    const hashes = (res.body as { hashes: string[] }).hashes.map((h) => Buffer.from(h, "base64"));
    if (!verifyInclusion(leafHash(Buffer.from(e.leaf, "base64")), index, checkpoint.size, hashes, checkpoint.root)) {
      return fail(`the inclusion proof for entry ${index} does not verify against checkpoint ${checkpoint.size}`);
    }
    process.stdout.write(formatTlogProof({ index, proof: hashes, checkpoint: note }));
    return EXIT.OK;
  } catch (e) {
    return fail((e as Error).message, EXIT.USAGE);
  }
}

export async function runLogConsistency(file: string, f: Flags): Promise<number> {
  try {
    const base = baseUrl(f);
    const old = openCheckpoint(readFileSync(file, "utf8"), logVerifier(f.vkey)).checkpoint;
    const { checkpoint } = await latest(base, f.vkey);
    if (checkpoint.size < old.size)
      return fail(`the log went backwards: it shows ${checkpoint.size} entries, your checkpoint has ${old.size}`);
    const res = await call({ baseUrl: base }, "logConsistency", {
      query: { first: old.size, second: checkpoint.size },
    });
    const hashes = (res.body as { hashes: string[] }).hashes.map((h) => Buffer.from(h, "base64"));
    const ok = old.size === 0 || verifyConsistency(old.size, checkpoint.size, old.root, checkpoint.root, hashes);
    if (!ok)
      return fail(
        `checkpoint ${checkpoint.size} is NOT consistent with your checkpoint ${old.size}: the log forked or rewrote history`,
      );
    process.stdout.write(
      `✓ checkpoint ${checkpoint.size} extends your checkpoint ${old.size} (${hashes.length} proof hashes)\n`,
    );
    return EXIT.OK;
  } catch (e) {
    return fail((e as Error).message, EXIT.USAGE);
  }
}
