/** A delivery's logger: the node's, with `request_id` when the bus carried the id of the HTTP request behind it. */
import type { Delivery } from "../lib/bus/index.ts";
import type { Logger } from "../lib/logger.ts";

export function logFor(logger: Logger, d: Delivery): Logger {
  return d.requestId ? logger.child({ request_id: d.requestId }) : logger;
}
