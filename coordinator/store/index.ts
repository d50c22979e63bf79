/** The coordinator's tables: payments and events, and the schema migration. */
export { EventStore, eventView, EVENT_STATEMENTS, type EventRow } from "./events.ts";
export { PaymentStore, toView, type PaymentRow } from "./payments.ts";
export { migrate } from "./schema.ts";
