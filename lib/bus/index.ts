/** The bus: one interface (`Bus`), over NATS JetStream or in process, and the helpers actors share. */
export type { Bus, Delivery, KvBucket, KvEntry, KvWatch, Mailbox, MailboxOptions, PublishOptions } from "./types.ts";
export { connectJetStream } from "./jetstream.ts";
export { memoryBus } from "./memory.ts";
export { drain, type Draining } from "./drain.ts";
