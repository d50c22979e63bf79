/** How an agent key change reads on the audit trail (an admin entry: who, which key, never its secret). */
import type { AdminEvent } from "../log/index.ts";
import type { KeyChange } from "./agent-keys.ts";

const ACTION = { create: "key.created", rotate: "key.rotated", revoke: "key.revoked" } as const;

export function keyTrailEvent(k: KeyChange): AdminEvent {
  return {
    actor: { kind: "user", id: k.userId, org: k.orgId },
    action: ACTION[k.action],
    target: { kind: "key", id: k.key.key_id },
    org: k.orgId,
    details: { name: k.key.name.slice(0, 256), agent_ids: k.key.agent_ids.join(",").slice(0, 256) },
  };
}
