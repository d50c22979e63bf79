/**
 * The bus as actors see it: durable streams, one mailbox per actor (a durable
 * consumer read as an async iterator, explicit ack), and fire-and-forget
 * signals for liveness. Implemented on NATS JetStream and, for machines with
 * no nats-server, in process.
 */
import type { StreamSpec } from "../../protocol/index.ts";

export interface Delivery {
  readonly subject: string;
  readonly data: Uint8Array;
  /** How many times this message has been delivered (1 = first time). */
  readonly deliveryCount: number;
  readonly streamSeq: number;
  /** The HTTP request the message was published for (a bus header, not signed: for log lines only). */
  readonly requestId?: string | undefined;
  ack(): void;
  /** Ask for redelivery, after `delayMs` if given. */
  nak(delayMs?: number): void;
  /** Never deliver again (poison message). */
  term(): void;
}

export interface Mailbox extends AsyncIterable<Delivery> {
  close(): Promise<void>;
}

export interface MailboxOptions {
  stream: string;
  durable: string;
  filterSubject?: string;
  /** For a new durable: start with messages stored at or after this time. */
  startTime?: Date;
  ackWaitMs?: number;
  maxAckPending?: number;
  maxDeliver?: number;
}

export interface PublishOptions {
  /** De-duplication id: a second publish with the same id inside the window is dropped. */
  msgId?: string;
  /** The HTTP request this message is published for: sent as a header beside the message, never signed. */
  requestId?: string | undefined;
}

/** One key's value in a key-value bucket; revisions rise across the whole bucket. */
export interface KvEntry {
  readonly key: string;
  readonly value: Uint8Array;
  readonly revision: number;
}

/** Entries as they come. Leaving a `for await` early does not end the watch; `stop()` does. */
export interface KvWatch extends AsyncIterable<KvEntry> {
  stop(): Promise<void>;
}

/** A replicated key-value bucket (NATS KV, or in process): the latest value per key. */
export interface KvBucket {
  /** Stores the value; resolves to its revision. */
  put(key: string, value: Uint8Array): Promise<number>;
  get(key: string): Promise<KvEntry | null>;
  /** Every key's latest value, then each later put, in revision order. */
  watch(): Promise<KvWatch>;
  /** The bucket's latest revision (0 when it is empty). */
  revision(): Promise<number>;
}

/** One durable consumer's backlog on its stream. */
export interface ConsumerBacklog {
  stream: string;
  consumer: string;
  /** Messages in the stream not yet delivered to the consumer. */
  pending: number;
  /** Delivered, not yet acknowledged. */
  ackPending: number;
  /** The stream's last sequence, and the consumer's ack floor: their difference is its lag in messages. */
  streamLastSeq: number;
  ackFloorSeq: number;
}

export interface Bus {
  readonly kind: "jetstream" | "memory";
  ensureStreams(streams: StreamSpec[]): Promise<void>;
  publish(subject: string, data: Uint8Array, opts?: PublishOptions): Promise<{ duplicate: boolean }>;
  mailbox(opts: MailboxOptions): Promise<Mailbox>;
  /** Core (non-persistent) signal, e.g. a heartbeat. */
  signal(subject: string, data: Uint8Array): void;
  onSignal(subject: string, handler: (subject: string, data: Uint8Array) => void): { stop(): void };
  /** Opens (creating if needed) a key-value bucket. */
  kv(bucket: string): Promise<KvBucket>;
  /** Core request/reply (not stored): one answer, or a rejection after `timeoutMs`. */
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  /** Answers requests on `subject`, one at a time in arrival order. */
  serve(subject: string, handler: (data: Uint8Array) => Promise<Uint8Array>): { stop(): void };
  healthy(): Promise<boolean>;
  /** Each durable consumer's backlog on these streams (the in-process bus: none). */
  backlog(streams: readonly string[]): Promise<ConsumerBacklog[]>;
  close(): Promise<void>;
}
