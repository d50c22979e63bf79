/**
 * The coordinator signs what it puts on the bus (evaluation tasks, settlement
 * orders, log appends, audit registry values), and every consumer verifies
 * before it acts, as if the bus were hostile. The signature is Ed25519 over
 * the JCS bytes of `{ type: "sentineliq.bus_message.v1", message }`, where
 * `message` is the message without its `bus_signature` field; it rides in
 * that field, base64. Verification reads the raw JSON (before any schema),
 * so nothing a schema strips or adds can slip past it.
 */
import { canonicalBytes } from "./canonical.ts";
import type { Signer, Verifier } from "./crypto.ts";
import { TypeTags } from "./tags.ts";

export const BUS_SIGNATURE_FIELD = "bus_signature";

function signedBytes(message: Record<string, unknown>) {
  const { [BUS_SIGNATURE_FIELD]: _, ...rest } = message;
  return canonicalBytes({ type: TypeTags.bus_message, message: rest });
}

/** The message with the coordinator's bus signature (any previous one replaced). */
export function signBusMessage<T extends object>(signer: Signer, message: T): T & { bus_signature: string } {
  const signature = signer.sign(signedBytes(message as Record<string, unknown>)).toString("base64");
  return { ...message, [BUS_SIGNATURE_FIELD]: signature };
}

/** True when `raw` (parsed JSON, not yet schema-checked) carries a valid bus signature of `verifier`'s key. */
export function busSignatureHolds(verifier: Verifier, raw: unknown): boolean {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return false;
  const signature = (raw as Record<string, unknown>)[BUS_SIGNATURE_FIELD];
  if (typeof signature !== "string" || signature.length !== 88) return false;
  try {
    return verifier.verify(signedBytes(raw as Record<string, unknown>), Buffer.from(signature, "base64"));
  } catch {
    return false; // no canonical form (a lone surrogate, a non-finite number): not something we signed
  }
}

/**
 * Reads a bus message: its JSON without the signature field, once checked against the bus key; or why not
 * (`malformed` when it is not JSON at all).
 */
export function readBusMessage(
  verifier: Verifier,
  data: Uint8Array,
): { message: unknown } | { refused: "BAD_BUS_SIGNATURE" } | { malformed: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8"));
  } catch (err) {
    return { malformed: (err as Error).message };
  }
  if (!busSignatureHolds(verifier, raw)) return { refused: "BAD_BUS_SIGNATURE" };
  const { [BUS_SIGNATURE_FIELD]: _, ...message } = raw as Record<string, unknown>;
  return { message };
}
