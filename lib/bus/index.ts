/** The bus: one interface (`Bus`), over NATS JetStream or in process, and the helpers actors share. */
export type { Bus, Delivery, KvBucket, KvEntry, KvWatch, Mailbox, MailboxOptions, PublishOptions } from "./types.ts";
export { connectJetStream } from "./jetstream.ts";
export { memoryBus } from "./memory.ts";
export { drain, type Draining } from "./drain.ts";
export { openQuarantine, DEFAULT_MAX_DELIVER, type Quarantine, type QuarantineOptions } from "./quarantine.ts";
export { NatsTls, natsConnectOptions, type BusConnectOptions } from "./connect-options.ts";
export {
  busAuthorization,
  busPermissions,
  natsServerConfig,
  permissionTable,
  roleInbox,
  roleName,
  ALWAYS_DENIED,
  type AuthorizationBlock,
  type BusRole,
  type RolePermissions,
} from "./permissions.ts";
