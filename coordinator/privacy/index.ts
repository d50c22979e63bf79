/** Privacy: erasure of data subjects without breaking the log, data-subject exports, retention policies. */
export { Erasure, privacyKey } from "./erase.ts";
export { exportSubject } from "./export.ts";
export { privacyHandlers } from "./handlers.ts";
export { runRetention, scheduleRetention, getRetention, setRetention } from "./retention.ts";
export { migratePrivacy } from "./schema.ts";
