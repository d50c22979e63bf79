/** Which archive a coordinator config asks for, and the ARCHIVE_URLs it refuses at start. */
import { describe, expect, it } from "vitest";
import { createLogger } from "../../lib/logger.ts";
import { sha256Hex } from "../../protocol/index.ts";
import { parseCoordinatorConfig } from "../config.ts";
import { DirArchiveStore } from "./archive-dir.ts";
import { archiveStoreOf } from "./archive-open.ts";
import { S3ArchiveStore } from "./archive-s3.ts";

const base = {
  databaseUrl: "memory://",
  logKeyFile: "/dev/null",
  validatorSet: { validators: [{ id: "v1", public_key: "a".repeat(64) }], quorum: { k: 1 } },
  tenants: [{ id: "t1", api_key_sha256: [sha256Hex("siq_agent_key_0123456789")], agent_ids: ["agent-1"] }],
};
const logger = createLogger("test", "silent");
const storeOf = (extra: Record<string, unknown>) =>
  archiveStoreOf(parseCoordinatorConfig({ ...base, ...extra }), logger);

describe("archive settings", () => {
  it("picks no archive, a directory (tileArchiveDir, a path, file://) or an S3 bucket", () => {
    expect(storeOf({})).toBeNull();
    expect(storeOf({ tileArchiveDir: "/tmp/tiles" })).toBeInstanceOf(DirArchiveStore);
    expect(storeOf({ archiveUrl: "/tmp/tiles" })?.describe).toBe("the directory /tmp/tiles");
    expect(storeOf({ archiveUrl: "file:///tmp/tiles" })?.describe).toBe("the directory /tmp/tiles");
    const s3 = storeOf({
      archiveUrl: "s3://siq-archive/log?endpoint=http://127.0.0.1:9000",
      archiveCredentials: { accessKeyId: "id", secretAccessKey: "secret" },
    });
    expect(s3).toBeInstanceOf(S3ArchiveStore);
    expect(s3?.describe).toBe("s3://siq-archive/log");
  });

  it("refuses a bad ARCHIVE_URL, both settings at once, and half a credential at start", () => {
    for (const archiveUrl of ["s3://Not_A_Bucket/x", "s3://bucket/x?lock_mode=never", "s3://bucket/x?evil=1", ""])
      expect(() => parseCoordinatorConfig({ ...base, archiveUrl }), archiveUrl).toThrow(/archiveUrl/);
    expect(() => parseCoordinatorConfig({ ...base, archiveUrl: "s3://bucket/x", tileArchiveDir: "/tmp/t" })).toThrow(
      /not both/,
    );
    expect(() => parseCoordinatorConfig({ ...base, archiveCredentials: { accessKeyId: "id" } })).toThrow(
      /archiveCredentials/,
    );
  });
});
