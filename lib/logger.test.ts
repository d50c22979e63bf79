/** Every line logged while a request is served names the request; others name none; secrets stay redacted. */
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.ts";
import { inRequestScope } from "./request-scope.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger("test", "info", { write: (s: string) => void lines.push(JSON.parse(s)) });
  return { logger, lines };
}

describe("createLogger", () => {
  it("adds the request id to each line logged in the request's scope, child loggers and async work included", async () => {
    const { logger, lines } = capture();
    logger.info("outside");
    await inRequestScope("req-42", async () => {
      logger.info("inside");
      await new Promise((r) => setTimeout(r, 1));
      logger.child({ log: "access" }).warn({ status: 200 }, "later");
    });
    expect(lines.map((l) => [l.msg, l.request_id])).toEqual([
      ["outside", undefined],
      ["inside", "req-42"],
      ["later", "req-42"],
    ]);
  });

  it("keeps an explicit request_id and redacts secrets", () => {
    const { logger, lines } = capture();
    inRequestScope("req-1", () => logger.info({ request_id: "req-1", key: { seed: "s3cret" } }, "x"));
    expect(lines[0]).toMatchObject({ request_id: "req-1", key: { seed: "[redacted]" } });
    expect(JSON.stringify(lines[0]).match(/request_id/g)).toHaveLength(1);
  });
});
