import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateKeyFile, loadKeyFile } from "./keyfile.ts";

describe("key files", () => {
  const dir = mkdtempSync(join(tmpdir(), "siq-keys-"));

  it("writes 0600 and loads back the same public key", () => {
    const path = join(dir, "v1.json");
    const made = generateKeyFile(path, "v1");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadKeyFile(path).publicKeyHex).toBe(made.publicKeyHex);
  });

  it("refuses to overwrite an existing key file", () => {
    const path = join(dir, "v2.json");
    generateKeyFile(path, "v2");
    expect(() => generateKeyFile(path, "v2")).toThrow(/already exists/);
  });

  it("rejects a file whose public key does not match its seed, without echoing the seed", () => {
    const path = join(dir, "v3.json");
    generateKeyFile(path, "v3");
    const body = JSON.parse(readFileSync(path, "utf8"));
    body.public_key = "00".repeat(32);
    writeFileSync(path, JSON.stringify(body));
    try {
      loadKeyFile(path);
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toMatch(/does not match/);
      expect((e as Error).message).not.toContain(body.seed);
    }
  });

  it("rejects a malformed file with a typed error", () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, '{"type":"something else","seed":"abc"}');
    expect(() => loadKeyFile(path)).toThrow(expect.objectContaining({ code: "KEY_FILE_INVALID" }));
  });
});
