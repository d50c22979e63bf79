/**
 * An organisation's agent API keys on the wire. A key reads
 * `siq_live_<key id>_<secret>`: the key id (8 characters, lower-case letters
 * and digits) names it in lists and logs; the secret (32 random bytes,
 * base64url) is shown once, at creation and at each rotation, and stored only
 * as its SHA-256.
 */
import { z } from "zod";
import { safeText } from "../schemas/safe.ts";

export const AGENT_KEY_PREFIX = "siq_live_";

/** The whole key: prefix, key id, secret. */
export const AGENT_KEY_FORMAT = /^siq_live_([a-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export const KeyId = z.string().regex(/^[a-z0-9]{8}$/, "must be a key id: 8 lower-case letters or digits");

/** Agent ids a key is bound to: exact, or a prefix ending in `*` (the same syntax as the config's keys). */
export const BoundAgentIds = z
  .array(z.string().regex(/^(?:\*|[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}\*?)$/, "an agent id, or a prefix ending in *"))
  .min(1)
  .max(100);

export const AgentKeyCreate = z
  .object({
    /** What the key is for (shown in lists). */
    name: safeText(100).min(1),
    agent_ids: BoundAgentIds,
  })
  .strict();

export const KeyParams = z.object({ key_id: KeyId }).strict();

export const AgentKeyView = z.object({
  key_id: KeyId,
  /** The key's first characters, `siq_live_<key id>_`: how to tell which key a log line or a leaked secret is. */
  prefix: z.string(),
  name: z.string(),
  agent_ids: z.array(z.string()),
  status: z.enum(["active", "revoked"]),
  created_at: z.string(),
  rotated_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type AgentKeyView = z.infer<typeof AgentKeyView>;

/** A new or rotated key: the only answer that carries the secret. */
export const AgentKeyIssued = AgentKeyView.extend({
  api_key: z.string().regex(AGENT_KEY_FORMAT),
  message: z.string(),
});
export type AgentKeyIssued = z.infer<typeof AgentKeyIssued>;

export const AgentKeyList = z.object({ keys: z.array(AgentKeyView) });
export type AgentKeyList = z.infer<typeof AgentKeyList>;
