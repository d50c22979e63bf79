/** The webhook routes: an organisation's owners and admins manage its endpoints and read and replay deliveries. */
import { z } from "zod";
import type { ErrorCode } from "../errors.ts";
import type { Role } from "../accounts/schemas.ts";
import {
  DeliveryList,
  DeliveryParams,
  DeliveryView,
  WebhookCreate,
  WebhookIssued,
  WebhookList,
  WebhookParams,
  WebhookView,
} from "./schemas.ts";

const NoParams = z.object({}).strict();
const ADMINS: readonly Role[] = ["owner", "admin"];

interface Def<P extends z.ZodType, B extends z.ZodType | undefined> {
  method: "GET" | "POST" | "DELETE";
  path: string;
  auth: "user";
  roles: readonly Role[];
  summary: string;
  params: P;
  body: B;
  query: undefined;
  response: z.ZodType;
  errors?: readonly ErrorCode[];
}

const def = <P extends z.ZodType, B extends z.ZodType | undefined>(d: Def<P, B>) => Object.freeze(d);

export const webhookRoutes = {
  webhooksCreate: def({
    method: "POST",
    path: "/v1/webhooks",
    auth: "user",
    roles: ADMINS,
    summary:
      "Register a webhook endpoint for events (payment.rejected, payment.challenged, case.decided, validator.flagged, log.alarm) in a format (sentineliq, slack, pagerduty); its signing secret is shown only in this answer",
    params: NoParams,
    body: WebhookCreate,
    query: undefined,
    response: WebhookIssued,
    errors: ["WEBHOOK_URL_REFUSED"],
  }),
  webhooksList: def({
    method: "GET",
    path: "/v1/webhooks",
    auth: "user",
    roles: ADMINS,
    summary: "Your organisation's webhook endpoints (never their secrets)",
    params: NoParams,
    body: undefined,
    query: undefined,
    response: WebhookList,
  }),
  webhooksDelete: def({
    method: "DELETE",
    path: "/v1/webhooks/:webhook_id",
    auth: "user",
    roles: ADMINS,
    summary: "Delete a webhook endpoint: nothing more is delivered to it (another organisation's id: 404)",
    params: WebhookParams,
    body: undefined,
    query: undefined,
    response: WebhookView,
    errors: ["NOT_FOUND"],
  }),
  webhooksDeliveries: def({
    method: "GET",
    path: "/v1/webhooks/:webhook_id/deliveries",
    auth: "user",
    roles: ADMINS,
    summary: "The delivery log of an endpoint, newest first: state (pending, delivered, dead) and every attempt",
    params: WebhookParams,
    body: undefined,
    query: undefined,
    response: DeliveryList,
    errors: ["NOT_FOUND"],
  }),
  webhooksReplay: def({
    method: "POST",
    path: "/v1/webhooks/deliveries/:delivery_id/replay",
    auth: "user",
    roles: ADMINS,
    summary: "Deliver again (a dead or delivered delivery): it goes back to pending with a fresh set of attempts",
    params: DeliveryParams,
    body: undefined,
    query: undefined,
    response: DeliveryView,
    errors: ["NOT_FOUND"],
  }),
};
