/**
 * The request id of the HTTP request being served, for the code it calls: what the coordinator publishes
 * while serving a request carries the id in a bus header (protocol/request-id.ts). Outside a request: none.
 */
import { AsyncLocalStorage } from "node:async_hooks";

const scope = new AsyncLocalStorage<string>();

/** Runs `fn` (and everything it starts) as part of the request `requestId`. */
export function inRequestScope<T>(requestId: string, fn: () => T): T {
  return scope.run(requestId, fn);
}

/** The id of the request this code runs for, if any. */
export function currentRequestId(): string | undefined {
  return scope.getStore();
}
