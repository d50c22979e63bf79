/**
 * A validator's liveness beacon, signed by its own key. The coordinator counts
 * a validator as alive only on a beat that its key signed, for its own id,
 * sent recently and later than the last beat it counted: a forged, borrowed or
 * replayed beat does not make an absent validator look present.
 */
import { z } from "zod";
import { canonicalBytes } from "./canonical.ts";
import type { Signer, Verifier } from "./crypto.ts";
import { TypeTags } from "./tags.ts";

const Beat = z.object({
  type: z.literal(TypeTags.heartbeat),
  validator_id: z.string().min(1).max(64),
  /** Milliseconds since the epoch, on the validator's clock. */
  sent_at: z.number().int().nonnegative(),
  signature: z.string().regex(/^[0-9a-f]{128}$/),
});

const encoder = new TextEncoder();

export function signHeartbeat(signer: Signer, validatorId: string, now = Date.now()): Uint8Array {
  const body = { type: TypeTags.heartbeat, validator_id: validatorId, sent_at: now };
  const signature = signer.sign(canonicalBytes(body)).toString("hex");
  return encoder.encode(JSON.stringify({ ...body, signature }));
}

/**
 * The beat's send time when `data` is a beat from `validatorId` signed by `verifier`, sent within `maxAgeMs`
 * of `now` (either way: clocks differ a little); otherwise null. Never throws.
 */
export function readHeartbeat(
  data: Uint8Array,
  validatorId: string,
  verifier: Verifier,
  now: number,
  maxAgeMs: number,
): number | null {
  let beat: z.infer<typeof Beat>;
  try {
    beat = Beat.parse(JSON.parse(Buffer.from(data).toString("utf8")));
  } catch {
    return null;
  }
  if (beat.validator_id !== validatorId || Math.abs(now - beat.sent_at) > maxAgeMs) return null;
  const { signature, ...body } = beat;
  return verifier.verify(canonicalBytes(body), Buffer.from(signature, "hex")) ? beat.sent_at : null;
}
