/** Durations as rule authors write them: "30s", "1m", "24h", "7d". */
import { z } from "zod";

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseDuration(text: string): number {
  const m = /^([1-9][0-9]{0,5})(s|m|h|d)$/.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a duration such as 30s, 1m, 24h or 7d`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** A duration string, kept as written (it is part of the pack's bytes). */
export const Duration = z.string().refine((s) => {
  try {
    parseDuration(s);
    return true;
  } catch {
    return false;
  }
}, "a duration such as 30s, 1m, 24h or 7d");
