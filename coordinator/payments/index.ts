/** Payments: from the request to the quorum decision, its log entry and the hand-off to settlement. */
export { PaymentService, type PaymentServiceComponents } from "./service.ts";
