/**
 * Structured logs (pino). Secret material is redacted by path as a second line of defence.
 * A line written while serving an HTTP request carries its `request_id` (lib/request-scope.ts).
 */
import { pino, type DestinationStream, type Logger } from "pino";
import { currentRequestId } from "./request-scope.ts";

export type { Logger };

export function createLogger(name: string, level = "info", destination?: DestinationStream): Logger {
  const options = {
    name,
    level,
    redact: {
      paths: ["*.seed", "*.secret", "*.api_key", "*.authorization", "*.secretAccessKey", "req.headers.authorization"],
      censor: "[redacted]",
    },
    mixin: () => {
      const id = currentRequestId();
      return id === undefined ? {} : { request_id: id };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
