/**
 * `sentineliq webhook add | list | rm | deliveries | replay`: the webhook
 * routes, called as a person (./session.ts). Each prints lines a person reads,
 * or the answer as JSON with --json; a refusal prints its code and exits 1.
 */
import type { DeliveryView, Routes, WebhookIssued, WebhookView } from "../../protocol/index.ts";
import { call, type CallResult } from "../shared/client.ts";
import { UsageError } from "../shared/flags.ts";
import { asPerson, refusal, type PersonFlags } from "./session.ts";

export interface WebhookFlags extends PersonFlags {
  json?: boolean | undefined;
  event?: string[] | undefined;
  format?: string | undefined;
  routingKey?: string | undefined;
}

export type WebhookAction = "add" | "list" | "rm" | "deliveries" | "replay";

const ROUTE: Record<WebhookAction, keyof Routes> = {
  add: "webhooksCreate",
  list: "webhooksList",
  rm: "webhooksDelete",
  deliveries: "webhooksDeliveries",
  replay: "webhooksReplay",
};

const hookLine = (w: WebhookView) => `${w.webhook_id}  ${w.format.padEnd(10)}  ${w.url}  ${w.events.join(",")}`;

const deliveryLine = (d: DeliveryView) => {
  const last = d.attempts.at(-1);
  const what = last ? `${last.status_code ?? "-"} ${last.error ?? ""}`.trim() : "not attempted yet";
  return `${d.delivery_id}  ${d.state.padEnd(9)}  ${d.event_type.padEnd(18)}  ${d.attempts.length} attempt(s), last: ${what}`;
};

type Input = { params?: Record<string, string>; body?: unknown };

function input(action: WebhookAction, arg: string | undefined, flags: WebhookFlags): Input {
  if (action === "list") return {};
  if (action === "add") {
    if (!flags.event?.length) throw new UsageError("--event: name the event(s) to deliver (repeat it for more)");
    const body = {
      url: arg,
      events: flags.event,
      ...(flags.format ? { format: flags.format } : {}),
      ...(flags.routingKey ? { routing_key: flags.routingKey } : {}),
    };
    return { body };
  }
  return action === "replay" ? { params: { delivery_id: arg ?? "" } } : { params: { webhook_id: arg ?? "" } };
}

function lines(b: unknown): string {
  if (typeof b !== "object" || b === null) return String(b);
  if ("webhooks" in b) {
    const hooks = (b as { webhooks: WebhookView[] }).webhooks;
    return hooks.length ? hooks.map(hookLine).join("\n") : "no webhooks yet";
  }
  if ("deliveries" in b) {
    const list = (b as { deliveries: DeliveryView[] }).deliveries;
    return list.length ? list.map(deliveryLine).join("\n") : "no deliveries yet";
  }
  if ("secret" in b) {
    const w = b as WebhookIssued;
    return `✓ ${hookLine(w)}\n${w.secret}\n(the signing secret, shown once: store it now)`;
  }
  if ("delivery_id" in b) return `✓ ${deliveryLine(b as DeliveryView)} (replayed)`;
  return `✓ deleted ${hookLine(b as WebhookView)}`;
}

export async function webhookCommand(action: WebhookAction, arg: string | undefined, flags: WebhookFlags) {
  const res: CallResult<unknown> = await asPerson(flags, (t) => call(t, ROUTE[action], input(action, arg, flags)));
  if (res.status !== 200) {
    process.stderr.write(refusal(res) + "\n");
    return 1;
  }
  process.stdout.write((flags.json ? JSON.stringify(res.body) : lines(res.body)) + "\n");
  return 0;
}
