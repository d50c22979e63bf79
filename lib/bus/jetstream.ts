/** The Bus on NATS JetStream (nats.js v3). */
import {
  AckPolicy,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from "@nats-io/jetstream";
import { connect, nanos, type NatsConnection } from "@nats-io/transport-node";
import { BUS_REQUEST_ID_HEADER, SiqError, type StreamSpec } from "../../protocol/index.ts";
import { ackedPublisher } from "./acked-publish.ts";
import { requestIdOf } from "./request-id.ts";
import { natsConnectOptions, type BusConnectOptions } from "./connect-options.ts";
import { openJetStreamKv } from "./jetstream-kv.ts";
import { jetStreamBacklog } from "./backlog.ts";
import type { Bus, Delivery, Mailbox, MailboxOptions } from "./types.ts";

/** `opts`: a name, or the connection's settings (credentials, TLS, the role's inbox prefix). */
export async function connectJetStream(servers: string, opts: string | BusConnectOptions = "sentineliq"): Promise<Bus> {
  const settings = typeof opts === "string" ? { name: opts } : opts;
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: servers.split(","),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      ...natsConnectOptions(settings),
    });
  } catch (cause) {
    throw new SiqError("BUS_UNAVAILABLE", `cannot reach NATS at ${servers}: ${(cause as Error).message}`, { cause });
  }
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const publisher = ackedPublisher(nc, settings.inboxPrefix);
  const createStreams = settings.createStreams !== false;

  return {
    kind: "jetstream",

    async ensureStreams(streams: StreamSpec[]) {
      for (const s of streams) {
        if (createStreams) await untilPermitted(() => ensureStream(jsm, s));
        else await untilExists(jsm, s.name);
      }
    },

    async publish(subject, data, opts = {}) {
      const ack = await publisher.publish(subject, data, opts.msgId, opts.requestId);
      return { duplicate: ack.duplicate };
    },

    mailbox: (opts: MailboxOptions) => openMailbox(jsm, js, opts),

    signal(subject, data) {
      if (!nc.isClosed()) nc.publish(subject, data);
    },

    onSignal(subject, handler) {
      const sub = nc.subscribe(subject, {
        callback: (err, msg) => {
          if (!err) handler(msg.subject, msg.data);
        },
      });
      return { stop: () => sub.unsubscribe() };
    },

    async kv(bucket) {
      if (!createStreams) await untilExists(jsm, `KV_${bucket}`);
      return untilPermitted(() => openJetStreamKv(js, bucket));
    },

    async request(subject, data, timeoutMs) {
      const msg = await nc.request(subject, data, { timeout: timeoutMs });
      return msg.data;
    },

    serve: (subject, handler) => serveSerially(nc, subject, handler),

    async healthy() {
      if (nc.isClosed()) return false;
      try {
        await nc.flush();
        return true;
      } catch {
        return false;
      }
    },

    backlog: (streams) => jetStreamBacklog(jsm, streams),

    async close() {
      publisher.close();
      if (!nc.isClosed()) await nc.drain();
    },
  };
}

/** Creates the stream, or brings an existing one to the spec (subjects, retention, duplicate window). */
async function ensureStream(jsm: JetStreamManager, s: StreamSpec): Promise<void> {
  const config = {
    name: s.name,
    subjects: s.subjects,
    storage: StorageType.File,
    max_age: nanos(s.maxAgeSeconds * 1000),
    duplicate_window: nanos(Math.min(120_000, s.maxAgeSeconds * 1000)),
  };
  const info = await jsm.streams.info(s.name).catch(() => undefined);
  if (!info) await jsm.streams.add(config);
  else if (!sameSpec(info.config, config)) await jsm.streams.update(s.name, config);
}

function sameSpec(
  have: { subjects?: string[]; max_age: number; duplicate_window?: number },
  want: { subjects: string[]; max_age: number; duplicate_window: number },
): boolean {
  return (
    JSON.stringify(have.subjects ?? []) === JSON.stringify(want.subjects) &&
    have.max_age === want.max_age &&
    have.duplicate_window === want.duplicate_window
  );
}

/** How long a role without the right to create a stream or bucket waits for the coordinator to create it. */
const WAIT_FOR_STREAMS_MS = 120_000;

/** Waits until a stream exists (a role that may not create streams waits for the coordinator to). */
async function untilExists(jsm: JetStreamManager, stream: string): Promise<void> {
  await untilPermitted(async () => {
    const found = await jsm.streams.info(stream).then(
      () => true,
      (e: Error) => {
        if (/not found/i.test(e.message)) return false;
        throw e;
      },
    );
    if (!found) throw new Error(`timeout: waiting for stream ${stream}`);
  });
}

/** Runs `make` until it succeeds: what it needs may be missing until a role allowed to create it has done so. */
async function untilPermitted<T>(make: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_FOR_STREAMS_MS;
  for (;;) {
    try {
      return await make();
    } catch (cause) {
      if (!isRefusal(cause)) throw cause;
      if (Date.now() > deadline)
        throw new SiqError("BUS_UNAVAILABLE", `JetStream refused: ${(cause as Error).message}`, { cause });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** A permissions violation (or the timeout a refused request may end in), anywhere in the error's causes. */
function isRefusal(e: unknown): boolean {
  for (let err = e; err instanceof Error; err = err.cause) {
    if (err.name === "PermissionViolationError" || err.name === "TimeoutError") return true;
    if (/permissions violation|timeout/i.test(err.message)) return true;
  }
  return false;
}

/** The durable consumer (created on first use), read as an async iterator. */
async function openMailbox(jsm: JetStreamManager, js: JetStreamClient, opts: MailboxOptions): Promise<Mailbox> {
  try {
    await jsm.consumers.info(opts.stream, opts.durable);
  } catch {
    await jsm.consumers.add(opts.stream, {
      durable_name: opts.durable,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(opts.ackWaitMs ?? 30_000),
      max_ack_pending: opts.maxAckPending ?? 10_000,
      max_deliver: opts.maxDeliver ?? -1,
      ...(opts.filterSubject ? { filter_subject: opts.filterSubject } : {}),
      ...(opts.startTime
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: opts.startTime.toISOString() }
        : { deliver_policy: DeliverPolicy.All }),
    });
  }
  const consumer = await js.consumers.get(opts.stream, opts.durable);
  const messages = await consumer.consume({ max_messages: 1024 });
  return {
    async *[Symbol.asyncIterator]() {
      for await (const m of messages) yield toDelivery(m);
    },
    async close() {
      await messages.close();
    },
  };
}

/** Answers requests one at a time in arrival order; a failed handler sends no answer (the requester times out). */
function serveSerially(
  nc: NatsConnection,
  subject: string,
  handler: (data: Uint8Array) => Promise<Uint8Array>,
): { stop(): void } {
  let chain = Promise.resolve();
  const sub = nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return;
      chain = chain.then(async () => {
        try {
          msg.respond(await handler(msg.data));
        } catch {
          /* no answer: the requester times out */
        }
      });
    },
  });
  return { stop: () => sub.unsubscribe() };
}

function toDelivery(m: JsMsg): Delivery {
  return {
    subject: m.subject,
    data: m.data,
    deliveryCount: m.info.deliveryCount,
    streamSeq: m.seq,
    requestId: requestIdOf(m.headers?.get(BUS_REQUEST_ID_HEADER)),
    ack: () => m.ack(),
    nak: (delayMs) => m.nak(delayMs),
    term: () => m.term(),
  };
}
