/** Structured logs (pino). Secret material is redacted by path as a second line of defence. */
import { pino, type Logger } from "pino";

export type { Logger };

export function createLogger(name: string, level = "info"): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ["*.seed", "*.secret", "*.api_key", "*.authorization", "*.secretAccessKey", "req.headers.authorization"],
      censor: "[redacted]",
    },
  });
}
