/**
 * The SDK as users get it: `npm pack`ed, unpacked into an app's
 * node_modules (where Node does not strip types, so it must be built JS), and
 * used from a plain JavaScript agent against a real network; its .d.ts files
 * type-check a TypeScript consumer.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

const AGENT = `import { readFileSync } from "node:fs";
import { createAuditorClient, createClient, extractTaggedFunctions, InvalidRequestError, paymentFunction, PaymentChallengedError, tagOf } from "@sentineliq/sdk";

const [baseUrl, apiKey, auditorKey, sender, receiver] = process.argv.slice(2);

const pay = paymentFunction(async function pay(client, amount) {
  return client.pay({ sender, receiver, amount, currency: "USDC", debug_mode: true, purpose: "package test" });
});

const client = createClient({ baseUrl, apiKey, agentId: "pkg-agent" });
const submitted = await client.codeSubmitted;
let challenged;
try {
  await pay(client, "1.00");
} catch (e) {
  challenged = e instanceof PaymentChallengedError ? e.reasons.map((r) => r.code) : String(e);
}
await createAuditorClient({ baseUrl, apiKey: auditorKey }).approve(tagOf(pay).hash);
const ok = await pay(client, "2.00");
let invalid;
try {
  await client.pay({ sender, receiver: "nope", amount: "1.00", currency: "USDC", debug_mode: true });
} catch (e) {
  invalid = e instanceof InvalidRequestError ? e.details.issues.map((i) => i.path) : String(e);
}
const statics = extractTaggedFunctions("agent.mjs", readFileSync(new URL(import.meta.url), "utf8")).functions.map((f) => f.hash);
console.log(JSON.stringify({ submitted: submitted.map((r) => r.state), challenged, status: ok.status, risk: ok.risk_level, hash: tagOf(pay).hash, statics, invalid }));
`;

const CONSUMER = `import { createClient, paymentFunction, type Payment } from "@sentineliq/sdk";
const tagged = paymentFunction(async (n: number): Promise<number> => n + 1);
const client = createClient({ baseUrl: "http://127.0.0.1:1", apiKey: "k".repeat(20) });
export const p: Promise<Payment> = client.pay({ sender: "a", receiver: "b", amount: "1", currency: "USDC", debug_mode: true });
export const n: Promise<number> = tagged(1);
`;

describe("the packed SDK", () => {
  let net: TestNetwork;
  const dir = mkdtempSync(join(tmpdir(), "siq-sdk-pkg-"));
  const app = join(dir, "app");

  beforeAll(async () => {
    net = await startNetwork({ store: "pglite" });
    await run("npm", ["pack", "--pack-destination", dir, "--silent"], { cwd: join(ROOT, "sdk") });
    const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
    mkdirSync(join(app, "node_modules", "@sentineliq"), { recursive: true });
    mkdirSync(join(app, "node_modules", "@types"), { recursive: true });
    await run("tar", ["-xzf", join(dir, tarball), "-C", join(app, "node_modules", "@sentineliq")]);
    await run("mv", [
      join(app, "node_modules", "@sentineliq", "package"),
      join(app, "node_modules", "@sentineliq", "sdk"),
    ]);
    // Its dependency, as npm would install it (from this checkout: no download).
    symlinkSync(join(ROOT, "node_modules", "typescript"), join(app, "node_modules", "typescript"));
    symlinkSync(join(ROOT, "node_modules", "@types", "node"), join(app, "node_modules", "@types", "node"));
    writeFileSync(join(app, "package.json"), JSON.stringify({ type: "module", private: true }));
    writeFileSync(join(app, "agent.mjs"), AGENT);
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("ships built JavaScript and declarations, without tests", () => {
    const files = readdirSync(join(app, "node_modules", "@sentineliq", "sdk", "dist"));
    expect(files).toEqual(expect.arrayContaining(["index.js", "index.d.ts", "client.js", "normalise.js"]));
    expect(files.some((f) => f.includes(".test."))).toBe(false);
  });

  it("runs from node_modules in plain Node: submits, is challenged while unaudited, pays once approved", async () => {
    const p = net.payment();
    const { stdout } = await run(
      process.execPath,
      ["agent.mjs", net.url, net.apiKey, net.auditorKey, p.sender, p.receiver],
      { cwd: app },
    );
    const r = JSON.parse(stdout.trim().split("\n").pop()!);
    expect(r.submitted).toEqual(["pending"]);
    expect(r.challenged).toContain("UNAUDITED_CODE_PATH");
    expect(r).toMatchObject({ status: "settled", risk: "LOW" });
    expect(r.statics).toEqual([r.hash]);
    expect(r.invalid).toContain("receiver");
  });

  it("type-checks a TypeScript consumer against its declarations", async () => {
    writeFileSync(join(app, "consumer.ts"), CONSUMER);
    const tsconfig = {
      compilerOptions: {
        module: "nodenext",
        moduleResolution: "nodenext",
        target: "es2022",
        strict: true,
        noEmit: true,
        types: ["node"],
      },
      files: ["consumer.ts"],
    };
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify(tsconfig));
    await run(process.execPath, [TSC, "-p", app]);
    writeFileSync(join(app, "consumer.ts"), CONSUMER.replace('amount: "1"', "amount: 1"));
    await expect(run(process.execPath, [TSC, "-p", app])).rejects.toMatchObject({
      stdout: expect.stringContaining("not assignable to type 'string'"),
    });
  }, 60_000);
});
