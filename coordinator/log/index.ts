/** The verdict log: sequencing, storage, tiles, checkpoints, witnesses, the admin trail and its HTTP handlers. */
export { AdminTrail, NO_TRAIL, type AdminEvent, type Trail } from "./admin-trail.ts";
export { TileArchive, type ArchiveStore } from "./archive.ts";
export { openArchive, archiveStoreOf } from "./archive-open.ts";
export { DirArchiveStore } from "./archive-dir.ts";
export { S3ArchiveStore } from "./archive-s3.ts";
export { Checkpointer } from "./checkpointer.ts";
export { logHandlers, paymentReceipt } from "./handlers.ts";
export { migrateLog } from "./schema.ts";
export { LogSequencer } from "./sequencer.ts";
export { LogStore, type StoredEntry } from "./store.ts";
export { WitnessClient } from "./witnesses.ts";
export { OWNED } from "./access.ts";
