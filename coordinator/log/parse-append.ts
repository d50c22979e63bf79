/**
 * Reads one log append off the bus: the item to integrate, a refusal (code
 * first) when a foreign append does not hold up (guard.ts), or null when the
 * message cannot be read at all.
 */
import type { Delivery } from "../../lib/bus/index.ts";
import {
  canonicalType,
  leafHash,
  LogAppend,
  MAX_LOG_ENTRY_BYTES,
  readBusMessage,
  type PaymentOutcome,
} from "../../protocol/index.ts";
import type { AppendChecker, OutcomeGuard } from "./guard.ts";
import type { Item } from "./integrate.ts";

/** An entry this process made itself, with the outcome it made. */
export interface Local {
  entry: Buffer;
  type: string;
  payment?: PaymentOutcome;
  guard?: OutcomeGuard;
}

/** The item to integrate; `refused` (with the code first) when it does not hold up; null when unreadable. */
export function parseAppend(
  d: Delivery,
  local: ReadonlyMap<string, Local>,
  checker: AppendChecker,
): Item | { refused: string } | null {
  try {
    const read = readBusMessage(checker.bus, d.data);
    if ("malformed" in read) return null;
    if ("refused" in read) return { refused: `${read.refused}: the append does not carry the coordinator's signature` };
    const msg = LogAppend.parse(read.message);
    const entry = Buffer.from(msg.entry, "base64");
    if (entry.length > MAX_LOG_ENTRY_BYTES) return null;
    const mine = local.get(msg.key);
    const item = { key: msg.key, entry, leaf: leafHash(entry), delivery: d };
    // Made by this process (its aggregator verified the verdicts): the outcome is the one it made, not the bus's.
    if (mine && mine.entry.equals(entry))
      return {
        ...item,
        type: mine.type,
        payment: mine.payment,
        guard: mine.guard,
        paymentId: mine.payment?.payment_id ?? msg.payment_id,
      };
    const type = canonicalType(entry);
    if (type === undefined) return null;
    const checked = checker.check(msg, type, JSON.parse(entry.toString("utf8")));
    if ("refused" in checked) return { refused: `${checked.refused}: ${checked.reason}` };
    return {
      ...item,
      type,
      payment: msg.payment,
      guard: checked.guard,
      paymentId: msg.payment?.payment_id ?? msg.payment_id,
    };
  } catch {
    return null;
  }
}
