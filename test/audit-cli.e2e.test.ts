/** `sentineliq audit …` as an operator runs it, against a real network found through the environment. */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../cli/launcher/processes.ts";
import { hashFunctionSource } from "../sdk/src/normalise.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

const run = promisify(execFile);

const AGENT = `import { paymentFunction } from "@sentineliq/sdk";
export const refund = paymentFunction(async function refund(client: any, id: string) {
  return client.pay({ amount: "1.00", purpose: \`refund \${id}\` });
});
export const broken = paymentFunction(makeIt());
`;

describe("sentineliq audit", () => {
  let net: TestNetwork;
  const dir = mkdtempSync(join(tmpdir(), "siq-audit-cli-"));
  const file = join(dir, "agent.ts");
  const cli = async (args: string[]) => {
    const env = {
      ...process.env,
      SENTINELIQ_URL: net.url,
      SENTINELIQ_API_KEY: net.apiKey,
      SENTINELIQ_AUDITOR_KEY: net.auditorKey,
    };
    try {
      const r = await run(process.execPath, [BIN, "audit", ...args], { cwd: dir, env });
      return { code: 0, out: r.stdout, err: r.stderr };
    } catch (e) {
      const x = e as { code: number; stdout: string; stderr: string };
      return { code: x.code, out: x.stdout, err: x.stderr };
    }
  };
  beforeAll(async () => {
    net = await startNetwork({ store: "pglite" });
    writeFileSync(file, AGENT);
  });
  afterAll(async () => {
    await net?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("hashes, submits, approves, lists, shows and revokes", async () => {
    const src = AGENT.slice(AGENT.indexOf("async function refund"), AGENT.indexOf("});\nexport const broken") + 1);
    const want = hashFunctionSource(src).hash;

    const hashed = await cli(["hash", file]);
    expect(hashed.out).toContain(`${want}  refund  agent.ts:2`);
    expect(hashed.err).toMatch(/agent\.ts:5:\d+: paymentFunction\(\.\.\.\) is not given a function/);
    expect(hashed.code).toBe(1); // one tag it could not resolve

    const submitted = await cli(["submit", file, "--json"]);
    expect(JSON.parse(submitted.out)).toEqual([
      expect.objectContaining({ code_hash: want, state: "pending", created: true }),
    ]);

    const approved = await cli(["approve", want, "--note", "reviewed"]);
    expect(approved).toMatchObject({ code: 0, out: expect.stringContaining(`✓ ${want}  approved  refund`) });

    const listed = await cli(["list", "--state", "approved"]);
    expect(listed.out).toContain(want);
    const shown = await cli(["show", want]);
    expect(shown.out).toContain("purpose: `refund ${id}`");

    const revoked = await cli(["revoke", want, "--reason", "refunds without an order"]);
    expect(revoked.out).toContain(`✗ ${want}  revoked`);
    const again = await cli(["approve", want]);
    expect(again).toMatchObject({ code: 1, err: expect.stringContaining("409 AUDIT_REVOKED") });
    const noReason = await cli(["revoke", want]);
    expect(noReason.code).not.toBe(0);
  }, 60_000);
});
