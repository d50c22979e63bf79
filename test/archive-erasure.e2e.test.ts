/**
 * Erasure reaches the log archive, against a real S3-protocol server on loopback (s3rver) and a directory
 * archive: an organisation pays as agent-x, the archive holds its entries; erasing agent-x rewrites every
 * archived entry bundle holding one with its tombstone (no object under tile/entries/ names agent-x any
 * more), while every hash tile keeps its ETag; `log verify --s3` and `--tiles` pass and report the redacted
 * count. A directory archive filled before the erasure is rewritten when an archive over it starts again
 * (the restart path). Attack: a bundle rewritten with a tombstone that is not the tile's fails verify.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { Writable } from "node:stream";
import { pino } from "pino";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../cli/launcher/processes.ts";
import { createMetrics, DirArchiveStore, LogStore, TileArchive } from "../coordinator/index.ts";
import { createLogger } from "../lib/logger.ts";
import { startMailCatcher, type MailCatcher } from "../lib/mail-catcher.ts";
import { parseS3Url, s3Client } from "../lib/s3.ts";
import { decodeBundle, encodeBundle, tombstoneBytes } from "../protocol/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";
import { httpClient, linkToken } from "./helpers/operators.ts";

const run = promisify(execFile);
const credentials = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };
const BUCKET = "siq-erasure";
const PASSWORD = "correct horse battery";
const AGENT = "agent-xq7";

const until = async (what: () => boolean | Promise<boolean>, ms = 60_000) => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
};
/** Every file under a directory, relative to it. */
const walk = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(dir.length + 1));

describe("erasure reaches the log archive", () => {
  let server: S3rver;
  let net: TestNetwork;
  let mail: MailCatcher;
  let url: string;
  let s3: S3Client;
  let http: ReturnType<typeof httpClient>;
  const owner = { email: "ola@erase.test", access: "", apiKey: "" };
  const dir = mkdtempSync(join(tmpdir(), "siq-archive-"));
  /** The directory archive as it was before the erasure. */
  const pre = mkdtempSync(join(tmpdir(), "siq-archive-pre-"));
  let redacted: number[] = [];
  /** agent-x's payments (its decision entries name them) and the one kept. */
  const paid: string[] = [];
  const kept: string[] = [];

  const objects = async () => {
    const r = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "log/" }));
    return new Map((r.Contents ?? []).map((o) => [o.Key!, o.ETag!]));
  };
  const object = async (Key: string) =>
    Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body!.transformToByteArray());
  const bundlesNaming = async (what: string[]) => {
    const out: string[] = [];
    for (const key of (await objects()).keys()) {
      const bytes = key.startsWith("log/tile/entries/") ? await object(key) : Buffer.alloc(0);
      if (what.some((w) => bytes.includes(w))) out.push(key);
    }
    return out;
  };
  const filesNaming = (what: string[]) =>
    walk(dir).filter((f) => what.some((w) => readFileSync(join(dir, f)).includes(w)));
  const logSize = async () => Number((await net.db.query("SELECT max(idx) + 1 AS n FROM siq_log_entries"))[0]!.n);
  const archived = async () => {
    try {
      return Number((await object("log/checkpoint")).toString().split("\n")[1]);
    } catch {
      return -1;
    }
  };
  const cli = async (args: string[]) => {
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };
    const state = ["--state", mkdtempSync(join(tmpdir(), "siq-aud-"))];
    try {
      const network = ["--network", join(net.dir, "network.json")];
      const { stdout, stderr } = await run(process.execPath, [BIN, ...args, ...state, ...network], {
        cwd: tmpdir(),
        env,
      });
      return { code: 0, out: stdout + stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, out: err.stdout + err.stderr };
    }
  };
  const dirArchive = async () => {
    const log = new LogStore(net.db);
    const archive = new TileArchive({
      store: new DirArchiveStore(dir),
      log,
      logger: createLogger("test", "silent"),
      metrics: null,
    });
    const published = (await log.lastPublished())!;
    archive.offer(published.size, published.cosignedNote!);
    await archive.idle();
    await archive.stop();
    return published.size;
  };

  beforeAll(async () => {
    server = new S3rver({ port: 0, address: "127.0.0.1", silent: true, directory: mkdtempSync(join(tmpdir(), "s3-")) });
    const { port } = await server.run();
    url = `s3://${BUCKET}/log?endpoint=http://127.0.0.1:${port}`;
    s3 = s3Client(parseS3Url(url), credentials);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    mail = await startMailCatcher();
    net = await startNetwork({
      store: "pglite",
      coordinatorConfig: { archiveUrl: url, archiveCredentials: credentials, accounts: { smtpUrl: mail.url } },
    });
    http = httpClient(net.url);
    expect(
      (await http("POST", "/v1/auth/register", { email: owner.email, password: PASSWORD, organization: "Erase" }))
        .status,
    ).toBe(200);
    const token = linkToken(await mail.waitFor(owner.email, { subject: /verify/i }), net.url, "/auth/verify-email");
    expect((await http("POST", "/v1/auth/verify-email", { token })).status).toBe(200);
    owner.access = (await http("POST", "/v1/auth/login", { email: owner.email, password: PASSWORD })).body.access_token;
    owner.apiKey = (await http("POST", "/v1/keys", { name: "k", agent_ids: ["*"] }, owner.access)).body.api_key;
    for (const agent of [AGENT, "agent-kept", AGENT]) {
      const r = await net.post(net.payment({ agent_id: agent }), owner.apiKey);
      expect(r.status).toBe(200);
      (agent === AGENT ? paid : kept).push(r.body.payment_id as string);
    }
  }, 180_000);
  afterAll(async () => {
    await net?.stop();
    await mail?.stop();
    s3?.destroy();
    await server?.close();
  });

  it("erasing agent-x rewrites its archived bundles with tombstones; tiles keep their ETags; verify passes", async () => {
    const size = await logSize();
    await until(async () => (await archived()) >= size);
    expect(await bundlesNaming(paid)).not.toEqual([]);
    expect(await dirArchive()).toBeGreaterThanOrEqual(size);
    expect(filesNaming(paid)).not.toEqual([]);
    cpSync(dir, pre, { recursive: true });
    const before = await objects();

    const r = await http("DELETE", `/v1/privacy/subjects/agent/${AGENT}`, undefined, owner.access);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    redacted = r.body.entries_redacted;
    expect(redacted.length).toBeGreaterThanOrEqual(2);
    await until(async () => (await bundlesNaming(paid)).length === 0);
    const total = await logSize();
    await until(async () => (await archived()) >= total);
    expect(await bundlesNaming([...paid, AGENT])).toEqual([]);
    expect(await bundlesNaming(kept)).not.toEqual([]);
    const after = await objects();
    for (const [key, etag] of before)
      if (!key.startsWith("log/tile/entries/") && key !== "log/checkpoint") expect(after.get(key), key).toBe(etag);

    const ok = await cli(["log", "verify", "--s3", url, "--vkey", net.vkey]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain(`${redacted.length} entries redacted`);
  }, 180_000);

  it("a directory archive filled before the erasure is rewritten when an archive over it starts; verify --tiles passes", async () => {
    const tiles = walk(dir).filter((f) => f.startsWith("tile/") && !f.startsWith("tile/entries/"));
    const hashes = new Map(tiles.map((f) => [f, readFileSync(join(dir, f)).toString("hex")]));
    await dirArchive();
    expect(filesNaming([...paid, AGENT])).toEqual([]);
    expect(filesNaming(kept)).not.toEqual([]);
    for (const [f, hex] of hashes) expect(readFileSync(join(dir, f)).toString("hex"), f).toBe(hex);
    const ok = await cli(["log", "verify", "--tiles", dir, "--vkey", net.vkey]);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain(`${redacted.length} entries redacted`);
  }, 60_000);

  it("a failing store is retried until the rewrite lands; a bundle that would change by more than tombstones is refused", async () => {
    const metrics = createMetrics();
    const count = async (m: { get(): Promise<{ values: { value: number }[] }> }) => (await m.get()).values[0]?.value;
    const restart = async (store: DirArchiveStore) => {
      const lines: string[] = [];
      const sink = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) });
      const log = new LogStore(net.db);
      const archive = new TileArchive({ store, log, logger: pino(sink), metrics, retryMs: 20 });
      const published = (await log.lastPublished())!;
      archive.offer(published.size, published.cosignedNote!);
      await archive.idle();
      await archive.stop();
      return lines.join("");
    };
    // The store fails its first rewrite: the archive says so, retries, and the bundle is rewritten.
    const flaky = mkdtempSync(join(tmpdir(), "siq-archive-flaky-"));
    cpSync(pre, flaky, { recursive: true });
    const store = new DirArchiveStore(flaky);
    let failures = 1;
    const replace = store.replaceBundle.bind(store);
    store.replaceBundle = (path, data) =>
      failures-- > 0 ? Promise.reject(new Error("store unavailable")) : replace(path, data);
    const out = await restart(store);
    expect(out).toContain("archive write failed; retrying");
    expect(await count(metrics.logArchiveFailures)).toBe(1);
    const dirOf = (d: string) => walk(d).filter((f) => paid.some((w) => readFileSync(join(d, f)).includes(w)));
    expect(dirOf(flaky)).toEqual([]);
    // An archived bundle whose kept entry was edited cannot be "redacted" into the database's bytes: refused.
    const edited = mkdtempSync(join(tmpdir(), "siq-archive-edited-"));
    cpSync(pre, edited, { recursive: true });
    const files = walk(edited).filter((f) => readFileSync(join(edited, f)).includes(kept[0]!));
    expect(files).not.toEqual([]);
    for (const f of files) {
      const bytes = readFileSync(join(edited, f));
      bytes.write(kept[0]!.slice(0, -1) + (kept[0]!.endsWith("0") ? "1" : "0"), bytes.indexOf(kept[0]!));
      writeFileSync(join(edited, f), bytes);
    }
    const refused = await restart(new DirArchiveStore(edited));
    expect(refused).toContain("archive redaction refused");
    expect(refused).toContain("would change, and not into a tombstone");
    expect(await count(metrics.logArchiveRedactionsRefused)).toBeGreaterThanOrEqual(1);
    for (const f of files) expect(readFileSync(join(edited, f)).includes(paid[0]!), f).toBe(true);
  }, 60_000);

  it("attack: a bundle whose tombstone is not the tile's leaf fails verify", async () => {
    const i = redacted[0]!;
    const forged = Buffer.from(
      tombstoneBytes({ index: i, leaf_hash: Buffer.alloc(32, 7).toString("base64"), erasure_index: 0 }),
    );
    // Every archived version of the bundle (full or partial) that holds entry i.
    for (const file of walk(dir).filter((f) => f.startsWith("tile/entries/000"))) {
      const entries = decodeBundle(readFileSync(join(dir, file)));
      if (entries.length > i)
        writeFileSync(join(dir, file), encodeBundle(entries.map((e, j) => (j === i ? forged : e))));
    }
    const bad = await cli(["log", "verify", "--tiles", dir, "--vkey", net.vkey]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/BAD_TOMBSTONE/);
  }, 60_000);
});
