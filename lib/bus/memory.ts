/**
 * The Bus in process, for machines with no nats-server: the same semantics as
 * the JetStream bus (durable consumers, explicit ack, redelivery after the ack
 * wait, de-duplication by message id) with nothing kept across restarts.
 */
import { SiqError, type StreamSpec } from "../../protocol/index.ts";
import { memoryKv } from "./memory-kv.ts";
import type { Bus, Delivery, Mailbox, MailboxOptions, PublishOptions } from "./types.ts";
import { requestIdOf } from "./request-id.ts";

interface Stored {
  seq: number;
  subject: string;
  data: Uint8Array;
  at: number;
  requestId: string | undefined;
}

interface Stream {
  spec: StreamSpec;
  messages: Stored[];
  msgIds: Map<string, number>;
  consumers: Map<string, Consumer>;
}

interface Consumer {
  opts: MailboxOptions;
  stream: Stream;
  next: number; // index into messages of the next new message
  pending: Map<number, { stored: Stored; count: number; timer: NodeJS.Timeout | undefined }>;
  ready: Delivery[];
  /** Deliveries so far of each unacked message, kept across mailbox re-opens. */
  counts: Map<number, number>;
  wake: (() => void) | undefined;
  closed: boolean;
}

const DUP_WINDOW_MS = 120_000;

/** Whether a NATS subject pattern (`*` one token, `>` the rest) matches a subject. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (p[i] !== "*" && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** Moves new messages to the consumer's ready queue, up to its ack-pending limit. */
function pump(stream: Stream, c: Consumer): void {
  const maxPending = c.opts.maxAckPending ?? 10_000;
  while (!c.closed && c.next < stream.messages.length && c.pending.size < maxPending) {
    const stored = stream.messages[c.next++]!;
    if (c.opts.filterSubject && !matches(c.opts.filterSubject, stored.subject)) continue;
    deliver(c, stored, (c.counts.get(stored.seq) ?? 0) + 1);
  }
  c.wake?.();
}

/** Queues one delivery; unacked after the ack wait (or nak'd), it is delivered again up to `maxDeliver` times. */
function deliver(c: Consumer, stored: Stored, count: number): void {
  const entry = { stored, count, timer: undefined as NodeJS.Timeout | undefined };
  c.counts.set(stored.seq, count);
  c.pending.set(stored.seq, entry);
  const redeliver = (delay: number) => {
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      if (c.closed || !c.pending.has(stored.seq)) return;
      c.pending.delete(stored.seq);
      if (c.opts.maxDeliver !== undefined && c.opts.maxDeliver > 0 && count >= c.opts.maxDeliver) return;
      deliver(c, stored, count + 1);
      c.wake?.();
    }, delay);
    entry.timer.unref();
  };
  redeliver(c.opts.ackWaitMs ?? 30_000);
  const settle = () => {
    clearTimeout(entry.timer);
    c.pending.delete(stored.seq);
    c.counts.delete(stored.seq);
  };
  c.ready.push({
    subject: stored.subject,
    data: stored.data,
    deliveryCount: count,
    streamSeq: stored.seq,
    requestId: stored.requestId,
    ack: () => {
      settle();
      pump(c.stream, c);
    },
    nak: (delayMs) => redeliver(delayMs ?? 0),
    term: settle,
  });
}

// Everything here happens at once; the promises are the Bus interface's, and Promise.try keeps a throw a rejection.
export function memoryBus(): Bus {
  const streams = new Map<string, Stream>();
  const signals = new Map<string, Set<(subject: string, data: Uint8Array) => void>>();
  const servers = new Map<string, (data: Uint8Array) => Promise<Uint8Array>>();
  const seq = { last: 0 };
  const signal = (subject: string, data: Uint8Array) => {
    for (const [pattern, handlers] of signals)
      if (matches(pattern, subject)) for (const h of handlers) h(subject, data);
  };
  return {
    kind: "memory",
    ensureStreams(specs) {
      for (const spec of specs) {
        if (!streams.has(spec.name))
          streams.set(spec.name, { spec, messages: [], msgIds: new Map(), consumers: new Map() });
      }
      return Promise.resolve();
    },
    publish: (subject, data, opts = {}) =>
      Promise.try(() => {
        const ack = publish(streams, seq, subject, data, opts);
        signal(subject, data); // as on NATS, a plain subscriber to the subject sees a stored message too
        return ack;
      }),
    mailbox: (opts) => Promise.try(() => openMailbox(streams, opts)),
    signal,
    onSignal(subject, handler) {
      const set = signals.get(subject) ?? new Set();
      set.add(handler);
      signals.set(subject, set);
      return { stop: () => set.delete(handler) };
    },
    kv: memoryKv(),
    request: (subject, data, timeoutMs) => request(servers, subject, data, timeoutMs),
    serve(subject, handler) {
      let chain: Promise<unknown> = Promise.resolve();
      const serial = (data: Uint8Array) => {
        const out = chain.then(() => handler(data));
        chain = out.catch(() => {});
        return out;
      };
      servers.set(subject, serial);
      return { stop: () => servers.delete(subject) };
    },
    healthy: () => Promise.resolve(true),
    backlog: () => Promise.resolve([]),
    close() {
      for (const s of streams.values()) for (const c of s.consumers.values()) c.closed = true;
      return Promise.resolve();
    },
  };
}

function publish(
  streams: Map<string, Stream>,
  seq: { last: number },
  subject: string,
  data: Uint8Array,
  { msgId, requestId }: PublishOptions,
): { duplicate: boolean } {
  const stream = [...streams.values()].find((s) => s.spec.subjects.some((p) => matches(p, subject)));
  if (!stream) throw new SiqError("BUS_UNAVAILABLE", `no stream for subject ${subject}`);
  const now = Date.now();
  if (msgId) {
    const at = stream.msgIds.get(msgId);
    if (at !== undefined && now - at < DUP_WINDOW_MS) return { duplicate: true };
    stream.msgIds.set(msgId, now);
  }
  stream.messages.push({ seq: ++seq.last, subject, data, at: now, requestId: requestIdOf(requestId) });
  for (const c of stream.consumers.values()) pump(stream, c);
  return { duplicate: false };
}

/** Re-opening a durable resumes it: unacked messages come again. */
function openMailbox(streams: Map<string, Stream>, opts: MailboxOptions): Mailbox {
  const stream = streams.get(opts.stream);
  if (!stream) throw new Error(`no stream ${opts.stream}`);
  let c = stream.consumers.get(opts.durable);
  if (c) {
    c.closed = false;
  } else {
    const from = opts.startTime ? stream.messages.findIndex((m) => m.at >= opts.startTime!.getTime()) : 0;
    const next = from < 0 ? stream.messages.length : from;
    c = { opts, stream, next, pending: new Map(), ready: [], counts: new Map(), wake: undefined, closed: false };
    stream.consumers.set(opts.durable, c);
  }
  const consumer = c;
  pump(stream, consumer);
  return {
    async *[Symbol.asyncIterator]() {
      while (!consumer.closed) {
        const d = consumer.ready.shift();
        if (d) {
          yield d;
          continue;
        }
        await new Promise<void>((resolve) => (consumer.wake = resolve));
        consumer.wake = undefined;
      }
    },
    close() {
      consumer.closed = true;
      for (const p of consumer.pending.values()) clearTimeout(p.timer);
      // Unacked messages go back to the stream for the next mailbox on this durable.
      const firstPending = Math.min(...[...consumer.pending.keys()], Infinity);
      if (firstPending !== Infinity) consumer.next = stream.messages.findIndex((m) => m.seq === firstPending);
      consumer.pending.clear();
      consumer.ready = [];
      consumer.wake?.();
      return Promise.resolve();
    },
  };
}

async function request(
  servers: Map<string, (data: Uint8Array) => Promise<Uint8Array>>,
  subject: string,
  data: Uint8Array,
  timeoutMs: number,
): Promise<Uint8Array> {
  const handler = servers.get(subject);
  if (!handler) throw new Error(`no responders on ${subject}`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`request on ${subject} timed out`)), timeoutMs);
  });
  try {
    return await Promise.race([handler(data), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
