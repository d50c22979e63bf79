/**
 * Authentication and behaviour events: the request (HTTP edge), the task
 * validators score, their signed verdict, and the quorum decision that is
 * logged (`sentineliq.event.v1`). Events feed the state payment rules read.
 */
import { z } from "zod";
import { canonicalBytes, sha256Hex, type CanonicalBytes } from "../canonical.ts";
import { CountryCode, Decision, Hex64, Id, IsoTime, RiskLevel } from "./fields.ts";
import { decidedFields } from "./decision.ts";
import { ReasonSummary } from "./payment.ts";
import { Base64 } from "./fields.ts";
import { opinionFields } from "./verdict.ts";
import { TypeTags } from "../tags.ts";
import { safeJson } from "./safe.ts";

/** `login` is one login attempt whose `outcome` says how the password check went (the platform's own logins). */
export const EventKinds = ["login_success", "login_failure", "password_change", "device_change", "login"] as const;
export const EventKind = z.enum(EventKinds);
export type EventKind = z.infer<typeof EventKind>;

export const Geo = z
  .object({
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    country_code: CountryCode.optional(),
    /** ISO 3166-2 subdivision, e.g. UA-43 (Crimea). */
    region: z
      .string()
      .regex(/^[A-Z]{2}-[A-Z0-9]{1,3}$/, "an ISO 3166-2 code such as UA-43")
      .optional(),
  })
  .strict();

export type Geo = z.infer<typeof Geo>;

export const EventRequest = safeJson(
  z
    .object({
      /** The client's id for the event; the same id from the same tenant is the same event. */
      event_id: Id,
      kind: EventKind,
      /** With kind `login` (and only then): whether the credentials were right. */
      outcome: z.enum(["success", "failure"]).optional(),
      user_id: Id.optional(),
      agent_id: Id.optional(),
      ip: z.union([z.ipv4(), z.ipv6()]),
      geo: Geo.optional(),
      device_id: z.string().min(1).max(128).optional(),
      /** When the client saw it (informative: windows use the time the coordinator received it). */
      occurred_at: IsoTime.optional(),
      metadata: z.record(z.string().max(64), z.union([z.string().max(256), z.number(), z.boolean()])).optional(),
    })
    .strict()
    .refine((e) => e.user_id !== undefined || e.agent_id !== undefined, {
      message: "an event names a user_id or an agent_id",
      path: ["user_id"],
    })
    .refine((e) => (e.kind === "login") === (e.outcome !== undefined), {
      message: "a login event has an outcome (success or failure), and only a login event has one",
      path: ["outcome"],
    }),
);
export type EventRequest = z.infer<typeof EventRequest>;

/** What binds a task, its verdicts and its decision to one event as received (see `eventDigest`). */
const eventBinding = { event_ref: Id, event_digest: Hex64 };

export const EventTask = z.object({
  type: z.literal(TypeTags.event_task),
  ...eventBinding,
  tenant_id: Id,
  event: EventRequest,
  received_at: IsoTime,
  deadline_at: IsoTime,
});
export type EventTask = z.infer<typeof EventTask>;

export const EventVerdict = z
  .object({
    type: z.literal(TypeTags.event_verdict),
    ...eventBinding,
    ...opinionFields,
  })
  .strict();
export type EventVerdict = z.infer<typeof EventVerdict>;

export const SignedEventVerdict = z.object({ verdict: EventVerdict, signature: Base64.length(88) }).strict();
export type SignedEventVerdict = z.infer<typeof SignedEventVerdict>;

/** The logged record of an event's quorum decision. */
export const EventDecision = z
  .object({
    type: z.literal(TypeTags.event),
    ...eventBinding,
    kind: EventKind,
    ...decidedFields,
    verdicts: z.array(SignedEventVerdict),
  })
  .strict();
export type EventDecision = z.infer<typeof EventDecision>;

/** What `POST /v1/events` and `GET /v1/events/:event_id` answer. */
export const EventView = z.object({
  event_id: z.string(),
  event_ref: z.string(),
  kind: EventKind,
  status: z.enum(["evaluating", "decided", "pending"]),
  risk_level: RiskLevel.optional(),
  decision: Decision.optional(),
  reasons: z.array(ReasonSummary),
  log_index: z.number().int().min(0).optional(),
  received_at: IsoTime,
  decided_at: IsoTime.optional(),
});
export type EventView = z.infer<typeof EventView>;

export function eventRef(tenantId: string, eventId: string): string {
  return `evt_${sha256Hex(`${tenantId}\n${eventId}`).slice(0, 32)}`;
}

/** Binds event verdicts to one exact event as received. */
export function eventDigest(ref: string, tenantId: string, receivedAt: string, event: EventRequest): string {
  return sha256Hex(
    canonicalBytes({
      type: TypeTags.event_request,
      event_ref: ref,
      tenant_id: tenantId,
      received_at: receivedAt,
      event,
    }),
  );
}

export function eventVerdictBytes(v: EventVerdict): CanonicalBytes {
  return canonicalBytes(v);
}
