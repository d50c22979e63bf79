import { describe, expect, it } from "vitest";
import { DEFAULT_RETAIN_DAYS, parseS3Url, s3Key } from "./s3.ts";

describe("parseS3Url", () => {
  it("reads bucket, prefix, endpoint, region and the lock settings", () => {
    const loc = parseS3Url(
      "s3://siq-archive/prod/log/?endpoint=http://127.0.0.1:9000&region=eu-west-1&lock_mode=compliance&retain_days=30",
    );
    expect(loc).toEqual({
      bucket: "siq-archive",
      prefix: "prod/log",
      endpoint: "http://127.0.0.1:9000",
      region: "eu-west-1",
      lockMode: "COMPLIANCE",
      retainDays: 30,
    });
    expect(s3Key(loc, "tile/0/000")).toBe("prod/log/tile/0/000");
  });

  it("defaults to AWS in us-east-1, GOVERNANCE for seven years, the bucket's root", () => {
    const loc = parseS3Url("s3://siq-archive");
    expect(loc).toMatchObject({ prefix: "", region: "us-east-1", lockMode: "GOVERNANCE" });
    expect(loc.retainDays).toBe(DEFAULT_RETAIN_DAYS);
    expect(loc.endpoint).toBeUndefined();
    expect(s3Key(loc, "checkpoint")).toBe("checkpoint");
  });

  it("refuses what is not an S3 archive URL", () => {
    for (const bad of [
      "http://bucket/x",
      "s3://B_ad/x",
      "s3://bucket/x?endpoint=not-a-url",
      "s3://bucket/x?lock_mode=forever",
      "s3://bucket/x?retain_days=-1",
      "s3://bucket/x?retain_days=abc",
      "s3://bucket/x?secret=1",
      "not a url",
    ])
      expect(() => parseS3Url(bad), bad).toThrow();
  });
});
