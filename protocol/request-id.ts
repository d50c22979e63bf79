/**
 * Request ids: one per HTTP request, taken from a well-formed `X-Request-Id` or made up, echoed on the
 * response and carried on the bus in a NATS header beside (never inside) the signed message, so the
 * validators' log lines for that message name it. Informational only: nothing trusts or signs it.
 */
export const REQUEST_ID_HEADER = "x-request-id";
/** The NATS header that carries the request id with the messages published for the request. */
export const BUS_REQUEST_ID_HEADER = "Siq-Request-Id";

const REQUEST_ID = /^[A-Za-z0-9._:@-]{1,128}$/;

/** True for an id a client may choose: 1 to 128 characters of letters, digits and `._:@-`. */
export function isRequestId(value: unknown): value is string {
  return typeof value === "string" && REQUEST_ID.test(value);
}
