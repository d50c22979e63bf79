/** The coordinator's `webhooks` settings. */
import { z } from "zod";

export const WebhooksConfig = z
  .object({
    /**
     * Lets endpoints name private, loopback and link-local addresses (SSRF: off by default). Turn it on
     * only when every receiver is on a network the coordinator should reach, or for tests.
     */
    allowPrivateUrls: z.boolean().default(false),
    /** Attempts per round before a delivery is `dead` (a manual replay starts a new round). */
    maxAttempts: z.number().int().min(1).max(50).default(8),
    /** The delay after the first failed attempt; it doubles after each one, up to `backoffMaxMs`. */
    backoffBaseMs: z.number().int().min(10).default(5_000),
    backoffMaxMs: z
      .number()
      .int()
      .min(10)
      .default(30 * 60_000),
    /** How long one attempt may take (connect to last byte of the answer's head). */
    timeoutMs: z.number().int().min(100).max(60_000).default(10_000),
    /** Deliveries attempted at once. */
    concurrency: z.number().int().min(1).max(256).default(16),
  })
  .strict();
export type WebhooksConfig = z.infer<typeof WebhooksConfig>;
