/** Which key reads log entry contents (private: an organisation reads its own, an auditor all). */
import { devCredentials } from "../shared/credentials.ts";
import { env } from "../shared/env.ts";

const originOf = (u: string) => {
  try {
    return new URL(u).origin;
  } catch {
    return undefined;
  }
};

/**
 * The key that reads entry contents at `url`: the one given, else SENTINELIQ_API_KEY, else — for the dev
 * coordinator only, never sent elsewhere — the dev credentials' auditor key (or its agent key).
 */
export function entryReaderKey(given: string | undefined, url: string): string | undefined {
  if (given ?? env.apiKey) return given ?? env.apiKey;
  const dev = devCredentials();
  if (!dev || originOf(dev.base_url) !== originOf(url)) return undefined;
  return dev.auditor_key ?? dev.api_key;
}
