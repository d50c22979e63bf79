/** dev-credentials.json is read as untrusted input: a file that is not what dev wrote is refused, not half-used. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { devCredentials } from "./credentials.ts";

describe("devCredentials", () => {
  const dir = mkdtempSync(join(tmpdir(), "siq-creds-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (v: unknown) => writeFileSync(join(dir, "dev-credentials.json"), JSON.stringify(v));
  const good = {
    api_key: "siq_dev_1",
    base_url: "http://127.0.0.1:8080",
    log_vkey: "sentineliq.local/log+00000000+AQ==",
    example_payment: { amount: "12.50" },
  };

  it("is undefined without a file, and the file's contents with one", () => {
    expect(devCredentials(dir)).toBeUndefined();
    write({ ...good, auditor_key: "siq_auditor_1", extra: true });
    expect(devCredentials(dir)).toEqual({ ...good, auditor_key: "siq_auditor_1" });
  });

  it("refuses a file with a field missing or of the wrong type", () => {
    write({ ...good, api_key: 42 });
    expect(() => devCredentials(dir)).toThrow(/is not what `sentineliq dev` writes/);
    write({ ...good, example_payment: "pay everyone" });
    expect(() => devCredentials(dir)).toThrow(/is not what `sentineliq dev` writes/);
    write([good]);
    expect(() => devCredentials(dir)).toThrow(/is not what `sentineliq dev` writes/);
  });
});
