/**
 * The running SDK and the static extractor (`sentineliq audit hash`) must give
 * a function the same hash. The agent runs in a real Node child process with
 * type stripping, as agents do (vitest's own transform would re-print it).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { extractTaggedFunctions } from "./extract.ts";

const SDK = fileURLToPath(new URL("./index.ts", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "siq-extract-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const AGENT = `import { paymentFunction, taggedFunctions } from ${JSON.stringify(SDK)};

interface Payer { pay(x: unknown): Promise<unknown> }

/** Pays an invoice. */
export const payInvoice = paymentFunction(async function payInvoice(client: Payer, amount: number): Promise<unknown> {
  // the amount travels as a decimal string
  return client.pay({ amount: (amount as number).toFixed(2), currency: 'USDC' });
});

const refund = paymentFunction(async (id: string, why?: string) => {
  return { id: id!, why } satisfies object;
}, { name: "refund" });

export async function settle<T extends object>(this: unknown, order: T): Promise<T> {
  const copy: T = { ...order };
  return copy;
}
export const settleTagged = paymentFunction(settle);

const handlers = {
  ship: paymentFunction(function (n: number) { return n * 2 }),
};

console.log(JSON.stringify(taggedFunctions().map((t) => ({ name: t.name, hash: t.hash }))));
`;

describe("extractTaggedFunctions", () => {
  it("hashes each tagged function exactly as the running SDK does", () => {
    const file = join(dir, "agent.ts");
    writeFileSync(file, AGENT);
    const out = execFileSync(process.execPath, [file], { encoding: "utf8" });
    const runtime = JSON.parse(out.trim().split("\n").pop()!) as { name: string; hash: string }[];
    const { functions, problems } = extractTaggedFunctions(file, AGENT);
    expect(problems).toEqual([]);
    expect(runtime).toHaveLength(4);
    expect(functions.map((f) => f.hash)).toEqual(runtime.map((r) => r.hash));
    expect(functions.map((f) => f.name)).toEqual(["payInvoice", "refund", "settle", "ship"]);
    expect(functions[0]).toMatchObject({ line: 6, column: 27 });
  });

  it("reports a tag it cannot resolve, with its position", () => {
    const text = "import { paymentFunction } from 'x';\nconst f = paymentFunction(makeHandler());\n";
    const { functions, problems } = extractTaggedFunctions("a.ts", text);
    expect(functions).toEqual([]);
    expect(problems).toEqual([
      { file: "a.ts", line: 2, column: 11, message: expect.stringMatching(/not given a function/) },
    ]);
  });

  it("reads plain JavaScript files too, and sdk.paymentFunction(...) calls", () => {
    const text = "const sdk = require('x');\nmodule.exports = sdk.paymentFunction(async (a) => a + 1);\n";
    const { functions } = extractTaggedFunctions("a.cjs", text);
    expect(functions).toHaveLength(1);
    expect(functions[0]!.normalised).toBe("async (a) => a + 1");
  });
});
